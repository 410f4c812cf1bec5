import { performance } from 'node:perf_hooks';
import { stackEnvFile } from './stack/paths.ts';
import { StackError } from './stack/processes.ts';
import { findRunningStack, startStack, stopPersistentStack } from './stack/stack.ts';

/** `npm run stack:up` / `npm run stack:down`: the local OpenSearch + LocalStack for runs by hand. */
async function up(): Promise<void> {
  const started = performance.now();
  const running = await findRunningStack();
  if (running) {
    console.log(`Reusing the stack already running (${stackEnvFile}):`);
    console.log(
      Object.entries(running)
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n'),
    );
    return;
  }
  const stack = await startStack({ persistent: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Started OpenSearch ${stack.versions.opensearch} and LocalStack ${stack.versions.localstack} as ${stack.mode} in ${seconds} s.`,
  );
  console.log(`Wrote ${stackEnvFile}; load it with: set -a; . .stack/env; set +a`);
  console.log(
    Object.entries(stack.env)
      .map(([k, v]) => `  ${k}=${v}`)
      .join('\n'),
  );
}

async function down(): Promise<void> {
  const stopped = await stopPersistentStack();
  console.log(
    stopped.length > 0 ? `Stopped ${stopped.join(', ')}.` : 'Nothing started by stack:up is running.',
  );
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else throw new StackError(`Usage: node scripts/stack.ts up|down (got "${command ?? ''}").`);
} catch (error) {
  console.error(error instanceof StackError ? error.message : error);
  process.exitCode = 1;
}
