import { hostname, userInfo } from 'node:os';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsRequestHandler } from './aws-request-handler.ts';

/**
 * SDK clients for the control plane (pause switch, domain watch, status), configured by the SDK's
 * own conventions: AWS_REGION, the default credential chain, AWS_ENDPOINT_URL.
 */

export function createSsmClient(timeoutSeconds: number): SSMClient {
  return new SSMClient({ requestHandler: awsRequestHandler(timeoutSeconds) });
}

/**
 * CloudWatch and the OpenSearch Service API only add detail to `status` and drive the domain
 * watch: a short timeout and one retry keep a missing or slow endpoint from stalling either.
 */
const QUICK = {
  maxAttempts: 2,
  // Without throwOnRequestTimeout the SDK only prints a warning when requestTimeout passes and waits on.
  requestHandler: { connectionTimeout: 3000, requestTimeout: 5000, throwOnRequestTimeout: true },
} as const;

export function createCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient(QUICK);
}

/** The Amazon OpenSearch Service configuration API (DescribeDomain), not the cluster itself. */
export function createOpenSearchServiceClient(): OpenSearchClient {
  return new OpenSearchClient(QUICK);
}

/** Who runs a command, for the pause switch's record: `user@host`. */
export function operatorName(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user without a passwd entry.
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}
