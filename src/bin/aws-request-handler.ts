/** A TCP connection that is not up after this long is not coming up (a blackholed endpoint). */
const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Timeouts for the SDK's HTTP handler. The SDK sets none by default (SQS only a 15-minute socket
 * timeout), so a blackholed endpoint would hang a receive, a heartbeat or an S3 body read forever. An
 * idle-socket timeout, rather than a total request timeout, lets a large S3 object stream for as long
 * as bytes keep arriving; a stalled body fails with a read error and its file is retried.
 */
export function awsRequestHandler(timeoutSeconds: number): {
  readonly connectionTimeout: number;
  readonly socketTimeout: number;
} {
  return {
    connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, timeoutSeconds * 1000),
    socketTimeout: timeoutSeconds * 1000,
  };
}
