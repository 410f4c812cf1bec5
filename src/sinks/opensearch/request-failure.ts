import { OperatorError } from '../../core/operator-error.ts';
import { classifyRequestFailure } from './classify-failure.ts';

/**
 * A request of `setup`, `retention` or `redrive` failed. The message is the one sentence an operator
 * reads: what was being done, against which endpoint, and the HTTP status (or the connection error).
 */
export class RequestFailure extends OperatorError {
  override readonly name: string = 'RequestFailure';
  readonly endpoint: string;
  readonly status: number | undefined;

  constructor(what: string, endpoint: string, cause: unknown, hint = '') {
    const status = statusOf(cause);
    super(`${what} at ${endpoint} failed: ${reasonOf(cause)}${hint ? ` (${hint})` : ''}`, { cause });
    this.endpoint = endpoint;
    this.status = status;
  }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { meta?: { statusCode?: unknown } } | undefined)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * `HTTP 403: ...` from an OpenSearch-style error body, a Dashboards-style one (`{ statusCode, error,
 * message }`), or the client's own error (`ConnectionError: connect ECONNREFUSED ...`).
 */
function reasonOf(error: unknown): string {
  const status = statusOf(error);
  const body = (error as { meta?: { body?: unknown } }).meta?.body;
  if (status !== undefined && body && typeof body === 'object' && 'message' in body) {
    const { error: title, message } = body as { error?: unknown; message?: unknown };
    return `HTTP ${status}: ${[title, message].filter((part) => typeof part === 'string' && part).join(': ')}`;
  }
  // Our own explanation (not a client error): its message is the whole story.
  if (status === undefined && error instanceof Error && error.name === 'Error') return error.message;
  return classifyRequestFailure(error).reason.replace(/\.+$/, '');
}
