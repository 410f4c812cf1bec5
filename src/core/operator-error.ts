/** Exit statuses of the commands. */
export const ExitCode = {
  Ok: 0,
  /** The command ran and failed (a file, a request, the checkpoint). */
  Failed: 1,
  /** The command could not start: a flag or the configuration is wrong. */
  BadConfiguration: 2,
  /** Stopped by SIGINT/SIGTERM before the work was done (128 + SIGINT). */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error for the operator. Its message is the whole story in one sentence that names the culprit (a
 * variable, flag, file, endpoint, parameter), and it carries the exit status the command ends with.
 * The CLI catches it once (`src/bin/cli.ts`) and prints the sentence, never a stack trace. Expected
 * failures of one file are not errors of this kind: they are values (`FileResult`).
 */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
  readonly exitCode: ExitCode;

  constructor(message: string, options: { readonly exitCode?: ExitCode; readonly cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.exitCode = options.exitCode ?? ExitCode.Failed;
  }
}

/** A flag given wrong: the command does not start (exit status 2). */
export class UsageError extends OperatorError {
  override readonly name: string = 'UsageError';

  constructor(message: string) {
    super(message, { exitCode: ExitCode.BadConfiguration });
  }
}
