/**
 * An error in a few words for a one-sentence message: `Name: message` without a trailing period,
 * looking inside errors that say nothing themselves (an AggregateError from a refused connection
 * has an empty message; its parts carry `connect ECONNREFUSED ...`).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let message = error.message.trim();
  if (message === '' && error instanceof AggregateError) {
    message = error.errors
      .map((part: unknown) => (part instanceof Error ? part.message : String(part)))
      .join('; ');
  }
  if (message === '' && error.cause !== undefined) message = describeError(error.cause);
  const code = (error as { code?: unknown }).code;
  if (message === '' && typeof code === 'string') message = code;
  message = message.replace(/\.+$/, '');
  if (message === '' || message === error.name) return error.name;
  // A plain Error's name adds nothing; an SDK error's name (QueueDoesNotExist) is the key fact.
  return error.name === 'Error' ? message : `${error.name}: ${message}`;
}
