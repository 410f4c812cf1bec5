import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

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

/**
 * SDK clients as every command builds them: region, credentials and endpoint from the SDK's own
 * conventions (AWS_REGION, the default credential chain, AWS_ENDPOINT_URL). With an endpoint
 * override (LocalStack, a VPC endpoint by IP) bucket names cannot be host names, so S3 goes path-style.
 */
export function createS3Client(
  env: Readonly<Record<string, string | undefined>>,
  timeoutSeconds: number,
): S3Client {
  const custom = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  return new S3Client({ forcePathStyle: custom, requestHandler: awsRequestHandler(timeoutSeconds) });
}

/** `timeoutSeconds`: AWS_REQUEST_TIMEOUT_SECONDS, which every command passes from its configuration. */
export function createSqsClient(timeoutSeconds: number): SQSClient {
  return new SQSClient({ requestHandler: awsRequestHandler(timeoutSeconds) });
}
