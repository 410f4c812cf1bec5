import { LocalstackContainer } from '@testcontainers/localstack';
import { OpenSearchContainer } from '@testcontainers/opensearch';
import { inspectImage, requireEngine } from '../images/docker.ts';
import { LOCALSTACK_VERSION } from './localstack-process.ts';
import { OPENSEARCH_VERSION } from './opensearch-process.ts';
import { freePort, StackError } from './processes.ts';

export interface StartedContainers {
  opensearch: { url: string; version: string };
  localstack: { url: string; version: string };
  /** OpenSearch's container, then LocalStack's. */
  containerIds: [string, string];
  stop(): Promise<void>;
}

const OPENSEARCH_IMAGE = `opensearchproject/opensearch:${OPENSEARCH_VERSION}`;
const LOCALSTACK_IMAGE = `localstack/localstack:${LOCALSTACK_VERSION}`;

/** Fails early, naming what is missing, instead of letting testcontainers try a registry that may not exist. */
function requireImages(): void {
  requireEngine();
  const missing = [OPENSEARCH_IMAGE, LOCALSTACK_IMAGE].filter((name) => !inspectImage(name));
  if (missing.length > 0)
    throw new StackError(
      `STACK_MODE=containers needs the image(s) ${missing.join(', ')}; run \`npm run images\` (pulls them, or builds stand-ins where no registry answers).`,
    );
}

/**
 * The same services as Docker containers (STACK_MODE=containers), each published on a host port chosen
 * here rather than by the engine: LocalStack is told its address (LOCALSTACK_HOST), so the queue URLs it
 * returns name the port the SDK can reach rather than the container's 4566, and OpenSearch keeps its port
 * when the fault suite stops and starts its container. As on the process stack, OpenSearch's disk
 * thresholds are off: the fault suite sets the flood-stage block itself, and the engine's disk is shared.
 */
export async function startContainers(): Promise<StartedContainers> {
  requireImages();
  // Ryuk (testcontainers' reaper of orphaned containers) is an image of its own, which an engine without
  // a registry cannot pull; stop() and stack:down remove what was started instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const [openSearchPort, localStackPort] = [await freePort(), await freePort()];
  const [opensearch, localstack] = await Promise.all([
    new OpenSearchContainer(OPENSEARCH_IMAGE)
      .withSecurityEnabled(false)
      .withExposedPorts({ container: 9200, host: openSearchPort })
      .withEnvironment({
        OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
        'cluster.routing.allocation.disk.threshold_enabled': 'false',
      })
      .start(),
    new LocalstackContainer(LOCALSTACK_IMAGE)
      .withExposedPorts({ container: 4566, host: localStackPort })
      .withEnvironment({
        SERVICES: 's3,sqs,ssm',
        SQS_ENDPOINT_STRATEGY: 'path',
        LOCALSTACK_HOST: `127.0.0.1:${localStackPort}`,
      })
      .start(),
  ]);
  return {
    opensearch: { url: `http://127.0.0.1:${openSearchPort}`, version: OPENSEARCH_VERSION },
    localstack: { url: `http://127.0.0.1:${localStackPort}`, version: LOCALSTACK_VERSION },
    containerIds: [opensearch.getId(), localstack.getId()],
    stop: async () => {
      await Promise.all([opensearch.stop(), localstack.stop()]);
    },
  };
}
