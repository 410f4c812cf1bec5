import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients as every command builds them: region, credentials and endpoint from the SDK's own
 * conventions (AWS_REGION, the default credential chain, AWS_ENDPOINT_URL). With an endpoint
 * override (LocalStack, a VPC endpoint by IP) bucket names cannot be host names, so S3 goes path-style.
 */
export function createS3Client(env: Readonly<Record<string, string | undefined>> = process.env): S3Client {
  const custom = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  return new S3Client({ forcePathStyle: custom });
}

export function createSqsClient(): SQSClient {
  return new SQSClient({});
}
