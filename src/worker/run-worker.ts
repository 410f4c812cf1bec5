import type { OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ConfigWith } from '../config.ts';
import { createDomainWatch, type DomainWatch } from '../control/domain-watch.ts';
import { createIngestionGate, type IngestionGate } from '../control/ingestion-gate.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import { listenForShutdown } from '../control/shutdown-signals.ts';
import { FailureCode } from '../core/failure-code.ts';
import { PauseReason } from '../core/pause-reason.ts';
import { createPipeline } from '../pipeline/create-pipeline.ts';
import { s3LogFileRef } from '../sources/s3/s3-log-file-ref.ts';
import { createHealthServer } from '../telemetry/health-server.ts';
import { createLoopLiveness } from '../telemetry/liveness.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { prepareSink } from './prepare-sink.ts';
import { recordMessageMetrics } from './record-message-metrics.ts';
import { SqsWorker } from './sqs-worker.ts';

export type WorkerConfig = ConfigWith<'QUEUE_URL' | 'OPENSEARCH_URL'>;

/** The SDK clients the worker talks through, built by its command (bin/worker.ts). */
export interface WorkerClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
  /** The OpenSearch Service configuration API, when OPENSEARCH_DOMAIN_NAME names a domain to watch. */
  readonly domain?: OpenSearchClient | undefined;
}

/**
 * The long-running service: wires the collaborators around the given clients once, runs until
 * SIGTERM/SIGINT, drains. Returns the exit status (a second signal exits at once, with 1).
 */
export async function runWorker(
  config: WorkerConfig,
  logger: Logger,
  clients: WorkerClients,
): Promise<number> {
  const { s3, sqs, ssm } = clients;
  const metrics = createMetrics();
  const gate = createIngestionGate({
    logger,
    pauseSwitch: createPauseSwitch(ssm, config.PAUSE_PARAMETER_NAME),
  });
  // A file in flight shows progress with every bulk request, so a large file keeps the loop alive.
  let liveness: ReturnType<typeof createLoopLiveness> | undefined;
  const pipeline = createPipeline(config, logger, {
    onBulkRequest: (event) => {
      metrics.bulkRequest(event.durationMs / 1000, event.status);
      liveness?.beat();
    },
    // The cluster pushes back: take no new messages while the sink waits; files in flight go on.
    onPressure: (event) =>
      gate.holdFor(PauseReason.Backpressure, event.delayMs, `${event.kind}: ${event.reason}`),
  });
  metrics.watchSinkTotals(pipeline.sink.counters);
  const files = pLimit(config.FILES_IN_FLIGHT);

  const worker = new SqsWorker(
    {
      queueUrl: config.QUEUE_URL,
      dlqUrl: config.DLQ_URL,
      visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
      heartbeatSeconds: config.HEARTBEAT_SECONDS,
      retryDelaySeconds: config.RETRY_DELAY_SECONDS,
      batchSize: 10,
      filesInFlight: config.FILES_IN_FLIGHT,
      waitTimeSeconds: 20,
    },
    {
      sqs,
      logger,
      keyPrefix: config.KEY_PREFIX,
      maxMessageBytes: config.MAX_MESSAGE_BYTES,
      maxObjectsPerMessage: config.MAX_OBJECTS_PER_MESSAGE,
      refFor: (object) => s3LogFileRef(s3, object, { maxBytes: config.MAX_OBJECT_BYTES, logger }),
      processFile: (ref, signal) =>
        files(async () => {
          const done = metrics.fileStarted();
          try {
            return await pipeline.processFile(ref, signal);
          } finally {
            done();
          }
        }),
      onMessage: (handled) => recordMessageMetrics(metrics, handled),
      onReceiveError: () => metrics.failure(FailureCode.QueueUnavailable),
    },
  );
  liveness = createLoopLiveness({
    // Receives return at least every 20 s (long poll); bulk requests beat during long files.
    staleAfterMs: Math.max(120_000, config.HEARTBEAT_SECONDS * 2000),
    isPaused: () => gate.paused,
    lastActivity: () => worker.lastActivity,
  });
  const health = createHealthServer({
    port: config.HEALTH_PORT,
    registry: metrics.registry,
    logger,
    liveness: () => liveness.check(),
    readiness: async () => {
      await pipeline.sink.client.ping();
      return { ok: true };
    },
  });
  const domainWatch =
    config.OPENSEARCH_DOMAIN_NAME && clients.domain
      ? createDomainWatch({
          client: clients.domain,
          domainName: config.OPENSEARCH_DOMAIN_NAME,
          intervalMs: config.DOMAIN_CHECK_SECONDS * 1000,
          logger,
          onChange: (changing, detail) =>
            changing ? gate.hold(PauseReason.DomainChange, detail) : gate.release(PauseReason.DomainChange),
        })
      : undefined;

  let stopping = false;
  const address = await health.start();
  logger.info({ port: address.port }, 'health endpoints listening');
  try {
    await prepareSink(pipeline.sink, { logger, stopping: () => stopping });
  } catch (error) {
    logger.error({ err: error }, 'OpenSearch is not usable; stopping');
    await health.close();
    return 1;
  }
  gate.onChange((paused, reasons) => {
    metrics.paused(reasons);
    if (paused) worker.stopReceiving();
    else if (!stopping) worker.start();
  });
  await gate.start();
  await domainWatch?.start();
  if (!gate.paused) worker.start();
  logger.info(
    { queueUrl: config.QUEUE_URL, filesInFlight: config.FILES_IN_FLIGHT, paused: gate.paused },
    'worker started',
  );

  const signals = listenForShutdown((signal, count) => {
    if (count === 1) logger.info({ signal }, 'signal received');
    else {
      logger.warn({ signal }, 'second signal: exiting now');
      logger.flush();
      process.exit(1);
    }
  });
  await signals.first;
  stopping = true;
  logger.info(
    { inFlight: worker.inFlight, graceSeconds: config.SHUTDOWN_GRACE_SECONDS },
    'stopping: draining files in flight',
  );
  const { finished } = await worker.drain(config.SHUTDOWN_GRACE_SECONDS * 1000);
  logger.info(
    { finished },
    finished ? 'drained: every file in flight finished' : 'grace period over: unfinished messages released',
  );
  await shutdown({ gate, domainWatch, health, pipeline, clients: [s3, sqs, ssm] });
  logger.flush();
  return 0;
}

async function shutdown(parts: {
  gate: IngestionGate;
  domainWatch: DomainWatch | undefined;
  health: { close(): Promise<void> };
  pipeline: { close(): Promise<void> };
  clients: ReadonlyArray<{ destroy(): void }>;
}): Promise<void> {
  parts.gate.stop();
  parts.domainWatch?.stop();
  await parts.health.close();
  await parts.pipeline.close();
  for (const client of parts.clients) client.destroy();
}
