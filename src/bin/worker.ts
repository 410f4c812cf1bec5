import type { Command } from 'commander';
import pLimit from 'p-limit';
import { ConfigError, loadConfig } from '../config.ts';
import { createS3Client, createSqsClient } from '../pipeline/aws-clients.ts';
import { createPipeline } from '../pipeline/create-pipeline.ts';
import { s3LogFileRef } from '../pipeline/s3-log-file-ref.ts';
import { createLogger } from '../telemetry/logger.ts';
import { SqsWorker } from '../worker/sqs-worker.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Long-poll the SQS queue and index every CloudTrail log file it announces (the service).')
    .action(async () => {
      await runWorker();
    });
}

/** The composition root of the long-running service: builds every collaborator once, wires them, runs. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof loadConfig<'QUEUE_URL' | 'OPENSEARCH_URL'>>;
  try {
    config = loadConfig(env, ['QUEUE_URL', 'OPENSEARCH_URL']);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, base: { command: 'worker' } });
  const s3 = createS3Client(env);
  const sqs = createSqsClient();
  const pipeline = createPipeline(config, logger);
  const files = pLimit(config.FILES_IN_FLIGHT);

  const worker = new SqsWorker(
    {
      queueUrl: config.QUEUE_URL,
      dlqUrl: config.DLQ_URL,
      visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
      heartbeatSeconds: config.HEARTBEAT_SECONDS,
      retryDelaySeconds: config.RETRY_DELAY_SECONDS,
      batchSize: 10,
      waitTimeSeconds: 20,
    },
    {
      sqs,
      logger,
      keyPrefix: config.KEY_PREFIX,
      refFor: (object) => s3LogFileRef(s3, object, config.MAX_OBJECT_BYTES),
      processFile: (ref, signal) => files(() => pipeline.processFile(ref, signal)),
    },
  );

  await pipeline.sink.prepare();
  worker.start();
  logger.info({ queueUrl: config.QUEUE_URL, filesInFlight: config.FILES_IN_FLIGHT }, 'worker started');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info(
        { signal, inFlight: worker.inFlight, graceSeconds: config.SHUTDOWN_GRACE_SECONDS },
        'stopping: draining files in flight',
      );
      void worker.drain(config.SHUTDOWN_GRACE_SECONDS * 1000).then(({ finished }) => {
        logger.info(
          { finished },
          finished
            ? 'drained: every file in flight finished'
            : 'grace period over: unfinished messages released',
        );
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await pipeline.close();
  sqs.destroy();
  s3.destroy();
  logger.flush();
}
