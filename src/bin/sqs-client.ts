import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRequestHandler } from './aws-request-handler.ts';

/**
 * An SQS endpoint configured the SDK's way (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL), unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS tells the SDK to ignore both.
 */
export function configuredSqsEndpoint(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * The SQS client, configured by the SDK's conventions as the S3 client is (s3-client.ts).
 * `timeoutSeconds`: AWS_REQUEST_TIMEOUT_SECONDS, which every command passes from its configuration.
 *
 * With an endpoint configured, the queue URL only names the queue. By default the SDK sends every call
 * that names a queue to the queue URL's host (`useQueueUrlAsEndpoint`), and it defers only to an
 * `endpoint` passed in code, not to one from the environment (@aws-sdk/middleware-sdk-sqs 3.972's
 * queueUrlMiddleware: measured with client-sqs 3.1169, AWS_ENDPOINT_URL_SQS went unused for
 * ReceiveMessage and was used for ListQueues). A user who sets one means it: a VPC interface endpoint
 * without private DNS, a proxy, LocalStack on another host.
 */
export function createSqsClient(
  env: Readonly<Record<string, string | undefined>>,
  timeoutSeconds: number,
): SQSClient {
  return new SQSClient({
    requestHandler: awsRequestHandler(timeoutSeconds),
    // The SDK still resolves the endpoint itself (the same variables, the same precedence).
    ...(configuredSqsEndpoint(env) ? { useQueueUrlAsEndpoint: false } : {}),
  });
}
