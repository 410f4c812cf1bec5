import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRequestHandler } from './aws-request-handler.ts';

/**
 * The SQS client, configured by the SDK's conventions as the S3 client is (s3-client.ts).
 * `timeoutSeconds`: AWS_REQUEST_TIMEOUT_SECONDS, which every command passes from its configuration.
 */
export function createSqsClient(timeoutSeconds: number): SQSClient {
  return new SQSClient({ requestHandler: awsRequestHandler(timeoutSeconds) });
}
