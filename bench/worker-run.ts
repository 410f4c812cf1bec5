import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createNotificationResources, localClients } from '../scripts/stack/resources.ts';
import { type BenchStackEnv, deleteIndexes, waitUntilSearchable } from './bench-stack.ts';
import { type CliBuild, type CliProcess, startCliProcess } from './cli-process.ts';
import { processCpuSeconds } from './cpu-accounting.ts';
import type { Workload, WorkloadFile } from './generate-workload.ts';
import { sampleRss } from './process-memory.ts';

export interface WorkerRunOptions {
  readonly build: CliBuild;
  readonly stack: BenchStackEnv;
  readonly workload: Workload;
  /** Uploads at once. */
  readonly uploadConcurrency: number;
  /**
   * Upload pace in events per second (each file when its events are due); unset: as fast as
   * possible, a burst that shows throughput (and a lag made of queueing).
   */
  readonly paceEventsPerSecond?: number;
  /** Extra worker settings (FILES_IN_FLIGHT, BULK_CONCURRENCY...). */
  readonly env?: Readonly<Record<string, string>>;
  readonly nodeOptions?: string;
  readonly timeoutMs: number;
  /**
   * Poll `_count` only once the worker has logged every file as indexed, instead of from the first
   * upload: searches keep shards out of search-idle, so polling makes OpenSearch refresh every second.
   */
  readonly quietCluster?: boolean;
  /** Starts the worker with its environment; by default the CLI build as a child process. */
  readonly launch?: (env: Readonly<Record<string, string>>) => LaunchedWorker;
}

/** A worker started some other way (in a container, in a cgroup). */
export interface LaunchedWorker {
  readonly process: CliProcess;
  /** The worker's own pid once it has logged `worker started` (for RSS and CPU). */
  pid(): number;
  /** Once the run is measured or has failed, before the worker is stopped (read a cgroup's figures). */
  beforeStop?(): void;
  /** After the worker is stopped (remove the container, the cgroup). */
  afterStop?(): void;
}

export interface WorkerRun {
  /** First upload started to last document searchable. */
  readonly seconds: number;
  readonly uploadSeconds: number;
  readonly events: number;
  /** The worker's CPU seconds (all threads) from the first upload to the last document searchable. */
  readonly cpuSeconds: number;
  /** Per file: S3 event (upload completed) to the worker's "log file indexed" line, in seconds. */
  readonly lagsSeconds: readonly number[];
  /** The worker's own `lagSeconds` (from the notification's eventTime; whole seconds), per file. */
  readonly reportedLagsSeconds: readonly number[];
  /** Worker peak RSS (VmHWM) over the whole run, and before the first upload. */
  readonly peakRssKb: number;
  readonly idleRssKb: number;
  readonly rssSamplesKb: readonly number[];
}

/**
 * The worker end to end: a fresh bucket whose notifications go to a fresh queue, the real
 * `worker` command as a child process, the workload's files uploaded to LocalStack S3, and the
 * clock stopped when the last document is searchable (no forced refresh).
 */
export async function runWorkerEndToEnd(options: WorkerRunOptions): Promise<WorkerRun> {
  const { stack, workload } = options;
  const id = `bench-${randomUUID().slice(0, 8)}`;
  const aws = { endpoint: stack.AWS_ENDPOINT_URL, region: stack.AWS_REGION };
  const resources = await createNotificationResources(aws, {
    bucket: id,
    queue: id,
    dlq: `${id}-dlq`,
    maxReceiveCount: 5,
  });
  const { s3, sqs } = localClients(aws);
  const indexPrefix = id;
  const workerEnv = {
    OPENSEARCH_URL: stack.OPENSEARCH_URL,
    AWS_ENDPOINT_URL: stack.AWS_ENDPOINT_URL,
    AWS_REGION: stack.AWS_REGION,
    AWS_ACCESS_KEY_ID: stack.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: stack.AWS_SECRET_ACCESS_KEY,
    QUEUE_URL: resources.queueUrl,
    DLQ_URL: resources.dlqUrl,
    INDEX_PREFIX: indexPrefix,
    HEALTH_PORT: '0',
    PAUSE_PARAMETER_NAME: `/${id}/paused`,
    LOG_LEVEL: 'info',
    ...options.env,
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
  };
  const launched: LaunchedWorker = options.launch?.(workerEnv) ?? {
    process: startCliProcess(options.build, ['worker'], workerEnv),
    pid: () => launched.process.child.pid as number,
  };
  const worker = launched.process;
  try {
    await worker.waitForLog((line) => line.msg === 'worker started', 60_000);
    const pid = launched.pid();
    const rss = sampleRss(pid);
    const idleRssKb = rss.stop().peakKb;
    const sampler = sampleRss(pid);
    const bodies = new Map(
      workload.files.map(
        (file) => [file.key, readFileSync(file.path ?? join(workload.dir, file.key))] as const,
      ),
    );
    const uploadedAt = new Map<string, number>();
    const cpuAtStart = processCpuSeconds(pid);
    const started = Date.now();
    await upload(s3, resources.bucket, workload.files, bodies, uploadedAt, options);
    const uploadSeconds = (Date.now() - started) / 1000;
    const exited = (): string | undefined =>
      worker.child.exitCode !== null ? `worker exited early:\n${worker.output().slice(-3000)}` : undefined;
    if (options.quietCluster) await waitForIndexedLines(worker, workload.files.length, options.timeoutMs);
    const searchable = await waitUntilSearchable(stack.OPENSEARCH_URL, `${indexPrefix}-*`, workload.events, {
      timeoutMs: options.timeoutMs,
      failed: exited,
    });
    const seconds = (searchable - started) / 1000;
    const cpuSeconds = processCpuSeconds(pid) - cpuAtStart;
    const indexed = await waitForIndexedLines(worker, workload.files.length);
    const { peakKb, samplesKb } = sampler.stop();
    const lagsSeconds: number[] = [];
    const reportedLagsSeconds: number[] = [];
    for (const line of indexed) {
      const key = String(line.file).replace(`s3://${resources.bucket}/`, '');
      const at = uploadedAt.get(key);
      if (at !== undefined) lagsSeconds.push((Date.parse(String(line.time)) - at) / 1000);
      if (typeof line.lagSeconds === 'number') reportedLagsSeconds.push(line.lagSeconds);
    }
    return {
      seconds,
      uploadSeconds,
      events: workload.events,
      cpuSeconds,
      lagsSeconds,
      reportedLagsSeconds,
      peakRssKb: peakKb,
      idleRssKb,
      rssSamplesKb: samplesKb,
    };
  } finally {
    launched.beforeStop?.();
    // The measurements are taken; the worker's drain would wait for the SQS long poll under way (up to 20 s).
    await worker.stop(3000);
    launched.afterStop?.();
    await cleanup(s3, sqs, resources, stack.OPENSEARCH_URL, indexPrefix);
  }
}

async function upload(
  s3: S3Client,
  bucket: string,
  files: readonly WorkloadFile[],
  bodies: ReadonlyMap<string, Buffer>,
  uploadedAt: Map<string, number>,
  options: WorkerRunOptions,
): Promise<void> {
  const started = Date.now();
  const dueAt: number[] = [];
  let due = 0;
  for (const file of files) {
    dueAt.push(options.paceEventsPerSecond ? started + (due / options.paceEventsPerSecond) * 1000 : 0);
    due += file.events;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: options.uploadConcurrency }, async () => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        const wait = dueAt[i]! - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: bodies.get(file.key) }));
        uploadedAt.set(file.key, Date.now());
      }
    }),
  );
}

async function waitForIndexedLines(
  worker: CliProcess,
  files: number,
  timeoutMs = 30_000,
): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = worker.logs().filter((line) => line.msg === 'log file indexed');
    if (lines.length >= files || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function cleanup(
  s3: S3Client,
  sqs: SQSClient,
  resources: { bucket: string; queueUrl: string; dlqUrl: string },
  opensearchUrl: string,
  indexPrefix: string,
): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: resources.bucket, MaxKeys: 1000 }));
    if (!listed.Contents?.length) break;
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: resources.bucket,
        Delete: { Objects: listed.Contents.map((object) => ({ Key: object.Key as string })), Quiet: true },
      }),
    );
  }
  await s3.send(new DeleteBucketCommand({ Bucket: resources.bucket })).catch(() => undefined);
  await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.queueUrl })).catch(() => undefined);
  await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.dlqUrl })).catch(() => undefined);
  await deleteIndexes(opensearchUrl, `${indexPrefix}-*`);
  await fetch(`${opensearchUrl}/_index_template/${indexPrefix}-*`, { method: 'DELETE' });
  s3.destroy();
  sqs.destroy();
}
