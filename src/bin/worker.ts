import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../telemetry/logger.ts';
import { runWorker, type WorkerConfig } from '../worker/run-worker.ts';
import { createOpenSearchServiceClient, createSsmClient } from './control-clients.ts';
import { createS3Client } from './s3-client.ts';
import { createSqsClient } from './sqs-client.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Long-poll the SQS queue and index every CloudTrail log file it announces (the service).')
    .action(async () => {
      process.exitCode = await startWorker();
    });
}

/**
 * The composition root of the long-running service: the configuration, the logger and the SDK
 * clients, handed to the worker (src/worker/run-worker.ts). Returns the exit status.
 */
export async function startWorker(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config: WorkerConfig = loadConfig(env, ['QUEUE_URL', 'OPENSEARCH_URL']);
  const logger = createLogger({ level: config.LOG_LEVEL, base: { command: 'worker' } });
  const timeout = config.AWS_REQUEST_TIMEOUT_SECONDS;
  return runWorker(config, logger, {
    s3: createS3Client(env, timeout),
    sqs: createSqsClient(env, timeout),
    ssm: createSsmClient(timeout),
    domain: config.OPENSEARCH_DOMAIN_NAME ? createOpenSearchServiceClient() : undefined,
  });
}
