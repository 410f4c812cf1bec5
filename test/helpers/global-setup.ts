import type { TestProject } from 'vitest/node';
import { findRunningStack, startStack } from '../../scripts/stack/stack.ts';

/**
 * Real OpenSearch and LocalStack for the integration project: the stack `npm run stack:up` left
 * running if there is one, else a fresh one (processes or containers) stopped at the end.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const running = await findRunningStack();
  if (running) {
    console.log(
      `integration: reusing the running stack (OpenSearch ${running.OPENSEARCH_URL}, LocalStack ${running.AWS_ENDPOINT_URL})`,
    );
    project.provide('stack', running);
    return undefined;
  }
  const stack = await startStack({ persistent: false });
  console.log(
    `integration: started OpenSearch ${stack.versions.opensearch} and LocalStack ${stack.versions.localstack} as ${stack.mode} (${stack.env.OPENSEARCH_URL}, ${stack.env.AWS_ENDPOINT_URL})`,
  );
  project.provide('stack', stack.env);
  return () => stack.stop();
}
