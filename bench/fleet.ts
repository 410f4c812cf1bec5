/**
 * The fleet as the backfill's engine (issue 18): events/s of 1, 2 and 4 worker processes draining a
 * `backfill --via-queue` of the large workload (1,000,000 events, 788 files), side by side with the
 * local backfill and the cluster's upper bound, in one run. A benchmark, never a test.
 *
 *   node bench/fleet.ts [--workers 1,2,4] [--rounds 3]     # writes bench/RESULTS.md, section `fleet`
 *   node bench/fleet.ts --workload small                   # 100,000 events instead
 *
 * On an OpenSearch and a LocalStack of its own (bench-stack.ts). The workload's files are uploaded
 * once to a bucket without notifications; each via-queue run gets a fresh queue and dead-letter
 * queue, starts N `worker` processes on it (timed from when all are up), then runs the real
 * `backfill --via-queue --s3` with a fresh checkpoint: the clock runs from the backfill's start to
 * the last "log file indexed" line of any worker (every document accepted by the cluster, as the
 * local backfill's clock stops at its last bulk response), and the count is checked afterwards.
 * Rounds interleave the scenarios, so each ratio compares runs under the same conditions.
 */

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { localClients } from '../scripts/stack/resources.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../src/pipeline/transform-log-file.ts';
import { acceptedCount, type BenchStack, deleteIndexes, startBenchStack } from './bench-stack.ts';
import { type CliProcess, startCliProcess } from './cli-process.ts';
import { processCpuSeconds, startCpuMeter } from './cpu-accounting.ts';
import { ensureWorkload, WORKLOADS, type Workload } from './generate-workload.ts';
import {
  eventsPerSecond,
  type Measurement,
  measureBackfill,
  measureUpperBound,
  otherCores,
} from './ingest-scenarios.ts';
import { writeSection } from './results-section.ts';
import { formatNumber, formatRuns, median } from './stats.ts';
import { buildBulkBodies, productBulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const WORKER_COUNTS = arg('workers', '1,2,4').split(',').filter(Boolean).map(Number);
const ROUNDS = Number(arg('rounds', '3'));
/** `small` (100,000 events, 81 files) when the 1M-event run does not fit (the heading names the workload). */
const WORKLOAD = arg('workload', 'large') as 'large' | 'small';

function log(line: string): void {
  process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** A queue and dead-letter queue as the deployed worker's (5 receives, then dead letters). */
async function createQueues(
  stack: BenchStack,
  id: string,
): Promise<{ queueUrl: string; dlqUrl: string; remove(): Promise<void> }> {
  const { sqs } = localClients({ endpoint: stack.env.AWS_ENDPOINT_URL, region: stack.env.AWS_REGION });
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${id}-dlq` }))).QueueUrl as string;
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn as string;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: id }))).QueueUrl as string;
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        VisibilityTimeout: '300',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  return {
    queueUrl,
    dlqUrl,
    async remove() {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })).catch(() => undefined);
      sqs.destroy();
    },
  };
}

async function uploadWorkload(stack: BenchStack, workload: Workload, bucket: string): Promise<void> {
  const { s3 } = localClients({ endpoint: stack.env.AWS_ENDPOINT_URL, region: stack.env.AWS_REGION });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const limit = pLimit(8);
  await Promise.all(
    workload.files.map((file) =>
      limit(() =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: file.key,
            Body: readFileSync(join(workload.dir, file.key)),
          }),
        ),
      ),
    ),
  );
  s3.destroy();
}

const exitOf = (cli: CliProcess): Promise<number | null> =>
  cli.child.exitCode !== null
    ? Promise.resolve(cli.child.exitCode)
    : new Promise((resolve) => cli.child.once('exit', (code) => resolve(code)));

/** N workers draining a via-queue backfill of the bucket; clocked from the backfill's start to the last file indexed. */
async function measureFleet(
  stack: BenchStack,
  workload: Workload,
  bucket: string,
  workerCount: number,
): Promise<Measurement> {
  const id = `fleet-${workerCount}-${randomUUID().slice(0, 8)}`;
  const queues = await createQueues(stack, id);
  const scratch = mkdtempSync(join(tmpdir(), 'cti-bench-fleet-'));
  const env = {
    ...stack.env,
    QUEUE_URL: queues.queueUrl,
    DLQ_URL: queues.dlqUrl,
    INDEX_PREFIX: id,
    HEALTH_PORT: '0',
    PAUSE_PARAMETER_NAME: `/${id}/paused`,
    LOG_LEVEL: 'info',
  };
  const workers = Array.from({ length: workerCount }, () => startCliProcess('src', ['worker'], env));
  try {
    await Promise.all(workers.map((w) => w.waitForLog((line) => line.msg === 'worker started', 120_000)));
    const pids = workers.map((w) => w.child.pid as number);
    const cpuAtStart = pids.map(processCpuSeconds);
    const meter = startCpuMeter(stack.groups);
    const started = Date.now();
    const backfill = startCliProcess(
      'src',
      [
        'backfill',
        '--via-queue',
        '--s3',
        `s3://${bucket}`,
        '--checkpoint',
        join(scratch, 'enqueued.checkpoint'),
      ],
      { ...env, LOG_LEVEL: 'warn' },
    );
    const status = await exitOf(backfill);
    if (status !== 0)
      throw new Error(`backfill --via-queue exited ${status}:\n${backfill.output().slice(-3000)}`);
    const enqueueSeconds = (Date.now() - started) / 1000;
    const indexedLines = (): Array<Record<string, unknown>> =>
      workers.flatMap((w) => w.logs().filter((line) => line.msg === 'log file indexed'));
    // Distinct files: a redelivered message is indexed (as no-op creates) and logged again.
    const indexedFiles = (): number => new Set(indexedLines().map((line) => line.file)).size;
    const deadline = Date.now() + 1_800_000;
    while (indexedFiles() < workload.files.length) {
      const gone = workers.find((w) => w.child.exitCode !== null);
      if (gone) throw new Error(`a worker exited early:\n${gone.output().slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`${indexedFiles()} of ${workload.files.length} files indexed after 30 min`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const lines = indexedLines();
    const finished = Math.max(...lines.map((line) => Date.parse(String(line.time))));
    const spent = meter();
    const workerCpu = pids.reduce(
      (sum, pid, i) => sum + processCpuSeconds(pid) - (cpuAtStart[i] as number),
      0,
    );
    const perWorker = workers.map((w) => w.logs().filter((line) => line.msg === 'log file indexed').length);
    const count = await acceptedCount(stack.env.OPENSEARCH_URL, `${id}-*`);
    if (count !== workload.events)
      throw new Error(`${workerCount} workers: ${count} documents, expected ${workload.events}`);
    log(
      `${workerCount} worker(s): files per worker ${perWorker.join(' + ')}; enqueued in ${enqueueSeconds.toFixed(1)} s`,
    );
    return {
      events: workload.events,
      seconds: (finished - started) / 1000,
      processCpu: workerCpu,
      opensearchCpu: spent.opensearch,
      localstackCpu: spent.localstack,
      machineCpu: spent.machine,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop(3000)));
    await deleteIndexes(stack.env.OPENSEARCH_URL, `${id}-*`);
    await fetch(`${stack.env.OPENSEARCH_URL}/_index_template/${id}-*`, { method: 'DELETE' }).catch(
      () => undefined,
    );
    await queues.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function describe(name: string, m: Measurement): string {
  return (
    `${name}: ${Math.round(eventsPerSecond(m))} events/s (${m.seconds.toFixed(1)} s), CPU: process(es) ${m.processCpu.toFixed(1)} s, ` +
    `OpenSearch ${m.opensearchCpu.toFixed(1)} s, LocalStack ${m.localstackCpu.toFixed(1)} s, other work ${otherCores(m).toFixed(2)} cores`
  );
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  const workload = await ensureWorkload(WORKLOADS[WORKLOAD], log);
  const settings = productBulkSettings({});
  const bodies = await buildBulkBodies(workload, settings, {
    ...DEFAULT_TRANSFORM_OPTIONS,
    indexPrefix: 'ub',
  });
  const stack = await startBenchStack(log);
  const rows = new Map<string, Measurement[]>();
  /** The upper bound of each round, by round: the ratios' denominators. */
  const upperOfRound = new Map<Measurement, Measurement>();
  let roundUpper: Measurement | undefined;
  const failures: string[] = [];
  const add = (name: string, m: Measurement): void => {
    rows.set(name, [...(rows.get(name) ?? []), m]);
    if (name === 'upper bound') roundUpper = m;
    if (roundUpper) upperOfRound.set(m, roundUpper);
    log(describe(name, m));
  };
  try {
    const bucket = `fleet-source-${randomUUID().slice(0, 8)}`;
    const uploadStarted = Date.now();
    await uploadWorkload(stack, workload, bucket);
    log(`uploaded ${workload.files.length} files in ${((Date.now() - uploadStarted) / 1000).toFixed(0)} s`);
    // A fresh JVM indexes slowly until its JIT has warmed up.
    log('warm-up');
    await measureUpperBound(stack, bodies, 'ub', settings.concurrency);
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round} of ${ROUNDS}`);
      add('upper bound', await measureUpperBound(stack, bodies, 'ub', settings.concurrency));
      add('backfill --local', await measureBackfill(stack, workload, 'bf', { build: 'src', concurrency: 4 }));
      for (const n of WORKER_COUNTS) {
        const name = `via queue, ${n} worker${n === 1 ? '' : 's'}`;
        try {
          add(name, await measureFleet(stack, workload, bucket, n));
        } catch (error) {
          // One failed run must not cost the others: it is reported, and the round goes on.
          failures.push(`${name}, round ${round}: ${(error as Error).message.split('\n')[0]}`);
          log(`FAILED ${failures.at(-1)}`);
        }
      }
    }
  } finally {
    await stack.stop();
  }
  const loadAfter = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  const table = [...rows].map(([name, runs]) => {
    const rates = runs.map(eventsPerSecond);
    const ratios = runs.map((m) => eventsPerSecond(m) / eventsPerSecond(upperOfRound.get(m) as Measurement));
    const cpuPerEvent = median(runs.map((m) => (m.processCpu / m.events) * 1e6));
    const osPerEvent = median(runs.map((m) => (m.opensearchCpu / m.events) * 1e6));
    return `| ${name} | **${formatRuns(rates)}** events/s (${rates.map((r) => formatNumber(r)).join(', ')}) | ${formatNumber(median(ratios), 2)} (${ratios.map((r) => formatNumber(r, 2)).join(', ')}) | ${formatNumber(median(runs.map((m) => m.seconds)), 1)} s | ${formatNumber(cpuPerEvent, 1)} µs | ${formatNumber(osPerEvent, 1)} µs | ${formatNumber(median(runs.map(otherCores)), 2)} |`;
  });
  const command = `node bench/fleet.ts --workers ${WORKER_COUNTS.join(',')} --rounds ${ROUNDS}`;
  const section = `## fleet: workers draining a via-queue backfill, beside the local backfill and the upper bound (issue 18, ${formatNumber(workload.events)} events)

Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), shared with other work (load average ${loadBefore} before, ${loadAfter} after); Node ${process.version}; \`src\` build. Command:

\`\`\`sh
${command}
\`\`\`

Workload \`${workload.spec.name}\` (${formatNumber(workload.files.length)} files, ${formatNumber(workload.events)} events; see the ingest section). OpenSearch and LocalStack of the benchmark's own, on the same 2 cores as everything else. ${ROUNDS} rounds after a warm-up; each round runs every scenario once, in the order of the table; figures are medians ±half the range, with each round's figure after them, and ratios are taken within a round. Upper bound: the same documents as pre-serialized bulk bodies, ${settings.concurrency} in flight. \`backfill --local\`: the whole process (--concurrency 4). Via queue: N \`worker\` processes (defaults: FILES_IN_FLIGHT 4, BULK_CONCURRENCY ${settings.concurrency}) already up on a fresh queue, then \`backfill --via-queue --s3\` enqueues the ${formatNumber(workload.files.length)} files as S3 event notifications; the clock runs from the backfill's start to the last file indexed by any worker, and the document count is checked afterwards (every event exactly once). CPU per event: the process(es) under test (the workers, not the enqueuing backfill), and OpenSearch.

| scenario | events/s | ratio to the upper bound | time | process CPU / event | OpenSearch CPU / event | other work (cores) |
|---|---|---|---|---|---|---|
${table.join('\n')}
${failures.length > 0 ? `\nFailed runs (not in the table): ${failures.join('; ')}\n` : ''}`;
  console.log(section);
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'fleet', section);
  log('RESULTS.md: section fleet written');
}

await main();
