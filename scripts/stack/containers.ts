import { LocalstackContainer } from '@testcontainers/localstack';
import { OpenSearchContainer } from '@testcontainers/opensearch';
import { LOCALSTACK_VERSION } from './localstack-process.ts';
import { OPENSEARCH_VERSION } from './opensearch-process.ts';

export interface StartedContainers {
  opensearch: { url: string; version: string };
  localstack: { url: string; version: string };
  containerIds: string[];
  stop(): Promise<void>;
}

/** The same services as Docker containers, for machines with a Docker engine (laptops, GitHub Actions). */
export async function startContainers(): Promise<StartedContainers> {
  const [opensearch, localstack] = await Promise.all([
    new OpenSearchContainer(`opensearchproject/opensearch:${OPENSEARCH_VERSION}`)
      .withSecurityEnabled(false)
      .start(),
    new LocalstackContainer(`localstack/localstack:${LOCALSTACK_VERSION}`)
      .withEnvironment({ SERVICES: 's3,sqs,ssm', SQS_ENDPOINT_STRATEGY: 'path' })
      .start(),
  ]);
  return {
    opensearch: { url: opensearch.getHttpUrl(), version: OPENSEARCH_VERSION },
    localstack: { url: localstack.getConnectionUri(), version: LOCALSTACK_VERSION },
    containerIds: [opensearch.getId(), localstack.getId()],
    stop: async () => {
      await Promise.all([opensearch.stop(), localstack.stop()]);
    },
  };
}
