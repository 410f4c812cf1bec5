import type { TestProject } from 'vitest/node';
import { IMAGES } from '../../scripts/images/catalogue.ts';
import { inspectImage, requireEngine } from '../../scripts/images/docker.ts';
import { startStack } from '../../scripts/stack/stack.ts';

/**
 * The containers project needs a Docker engine and every image the Dockerfile and docker-compose.yml
 * name (`npm run images`); it fails here, naming what is missing, rather than in every test. Its
 * OpenSearch and LocalStack are containers too (testcontainers, STACK_MODE=containers).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireEngine();
  const missing = IMAGES.map((image) => image.name).filter((name) => !inspectImage(name));
  if (missing.length > 0)
    throw new Error(`Missing images ${missing.join(', ')}: run \`npm run images\` first.`);
  const stack = await startStack({ persistent: false, mode: 'containers' });
  console.log(
    `containers: started OpenSearch ${stack.versions.opensearch} and LocalStack ${stack.versions.localstack} as containers (${stack.env.OPENSEARCH_URL}, ${stack.env.AWS_ENDPOINT_URL})`,
  );
  project.provide('stack', stack.env);
  return () => stack.stop();
}
