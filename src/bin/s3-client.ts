import { S3Client } from '@aws-sdk/client-s3';
import { awsRequestHandler } from './aws-request-handler.ts';

/**
 * The S3 client as every command builds it: region, credentials and endpoint from the SDK's own
 * conventions (AWS_REGION, the default credential chain, AWS_ENDPOINT_URL). With an endpoint
 * override (LocalStack, a VPC endpoint by IP) bucket names cannot be host names, so S3 goes path-style.
 * Each SDK client has its own module, so that a command loads only the SDKs it calls (several MB each).
 */
export function createS3Client(
  env: Readonly<Record<string, string | undefined>>,
  timeoutSeconds: number,
): S3Client {
  const custom = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  return new S3Client({ forcePathStyle: custom, requestHandler: awsRequestHandler(timeoutSeconds) });
}
