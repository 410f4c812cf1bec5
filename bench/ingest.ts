/**
 * Scenarios 2–6 of the benchmark (issue 9): the upper bound (pre-serialized bulk bodies posted
 * straight to OpenSearch), the real backfill, the real worker end to end, peak memory, and
 * scaling with concurrency, all on an OpenSearch and a LocalStack of the benchmark's own.
 *
 *   node bench/ingest.ts                    # record mode: large workload, 3 rounds, writes bench/RESULTS.md
 *   BENCH_SIZE=small node bench/ingest.ts   # quick mode: small workload, writes bench/workload/RESULTS.small.md
 *
 * BENCH_RUNS overrides the number of rounds. Rounds interleave the upper bound, the backfill and
 * the worker, so each ratio compares runs made under the same conditions on a noisy machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRANSFORM_OPTIONS } from '../src/pipeline/transform-log-file.ts';
import { type BenchStack, startBenchStack } from './bench-stack.ts';
import { buildDist, IMAGE_NODE_OPTIONS } from './cli-process.ts';
import { withDedicatedClusterCpu } from './cpu-pinning.ts';
import { ensureWorkload, WORKLOAD_ROOT, WORKLOADS, type Workload } from './generate-workload.ts';
import { formatIngestReport, type IngestResults, productUnderTest } from './ingest-report.ts';
import {
  eventsPerSecond,
  type Measurement,
  measureBackfill,
  measureUpperBound,
  measureWorker,
  profileBackfill,
  quietly,
} from './ingest-scenarios.ts';
import { writeSection } from './results-section.ts';
import { median } from './stats.ts';
import { buildBulkBodies, productBulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RECORD = (process.env.BENCH_SIZE ?? 'record') !== 'small';
const ROUNDS = Number(process.env.BENCH_RUNS ?? (RECORD ? 3 : 2));
const MEMORY_RUNS = RECORD ? 3 : 1;
const SCALING_RUNS = RECORD ? 3 : 1;
const SCALING_LEVELS = [1, 2, 4, 8] as const;
/** Runs during which other work kept more cores busy than this are made again (see `quietly`). */
const QUIET = {
  maxOtherCores: Number(process.env.BENCH_MAX_OTHER_CORES ?? 0.5),
  maxAttempts: Number(process.env.BENCH_MAX_ATTEMPTS ?? 3),
  log,
};
const RESULTS = RECORD ? join(ROOT, 'bench/RESULTS.md') : join(WORKLOAD_ROOT, 'RESULTS.small.md');
const RAW_RESULTS = join(WORKLOAD_ROOT, RECORD ? 'ingest-results.json' : 'ingest-results.small.json');

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function describe(name: string, m: Measurement): string {
  const rss = m.peakRssKb ? `, peak RSS ${Math.round(m.peakRssKb / 1024)} MB` : '';
  return (
    `${name}: ${Math.round(eventsPerSecond(m))} events/s (${m.seconds.toFixed(1)} s), CPU: process ${m.processCpu.toFixed(1)} s, ` +
    `OpenSearch ${m.opensearchCpu.toFixed(1)} s, LocalStack ${m.localstackCpu.toFixed(1)} s, machine ${m.machineCpu.toFixed(1)} s${rss}`
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    const input = JSON.parse(readFileSync(RAW_RESULTS, 'utf8')) as IngestResults;
    writeSection(input.resultsFile, 'ingest', formatIngestReport(input));
    log(`results of ${RAW_RESULTS} written to ${input.resultsFile}`);
    return;
  }
  const started = Date.now();
  const loadBefore = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  const mainWorkload = await ensureWorkload(RECORD ? WORKLOADS.large : WORKLOADS.small, log);
  const small = await ensureWorkload(WORKLOADS.small, log);
  const bigFile = await ensureWorkload(WORKLOADS['big-file'], log);
  log('building dist/ for the container-build memory runs');
  buildDist();
  const settings = productBulkSettings({});
  const transform = { ...DEFAULT_TRANSFORM_OPTIONS, indexPrefix: 'ub' };
  const stack = await startBenchStack(log);
  try {
    const results = await runAll(stack, { mainWorkload, small, bigFile, settings, transform });
    const loadAfter = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
    const input: IngestResults = {
      ...results,
      record: RECORD,
      stack: { versions: stack.versions, javaOptions: stack.javaOptions },
      settings,
      loadBefore,
      loadAfter,
      minutes: (Date.now() - started) / 60_000,
      measuredAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
      product: productUnderTest(),
      imageNodeOptions: IMAGE_NODE_OPTIONS,
      resultsFile: RESULTS,
      quiet: { maxOtherCores: QUIET.maxOtherCores, maxAttempts: QUIET.maxAttempts },
    };
    // The raw figures first: `node bench/ingest.ts --report-only` formats them again without a new run.
    mkdirSync(WORKLOAD_ROOT, { recursive: true });
    writeFileSync(RAW_RESULTS, JSON.stringify(input));
    writeSection(RESULTS, 'ingest', formatIngestReport(input));
    log(`results written to ${RESULTS} (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  } finally {
    await stack.stop();
  }
}

async function runAll(
  stack: BenchStack,
  input: {
    mainWorkload: Workload;
    small: Workload;
    bigFile: Workload;
    settings: ReturnType<typeof productBulkSettings>;
    transform: typeof DEFAULT_TRANSFORM_OPTIONS;
  },
): Promise<
  Omit<
    IngestResults,
    | 'record'
    | 'stack'
    | 'settings'
    | 'loadBefore'
    | 'loadAfter'
    | 'minutes'
    | 'measuredAt'
    | 'product'
    | 'imageNodeOptions'
    | 'resultsFile'
    | 'quiet'
  >
> {
  const { mainWorkload, small, bigFile, settings, transform } = input;
  log(`preparing bulk bodies for ${mainWorkload.spec.name} and ${small.spec.name}`);
  let mainBodies = await buildBulkBodies(mainWorkload, settings, transform);
  const smallBodies = mainWorkload === small ? mainBodies : await buildBulkBodies(small, settings, transform);
  const smallPerFile = await buildBulkBodies(small, settings, transform, 'per-file');

  // A fresh JVM indexes slowly until its JIT has warmed up (the first runs take up to twice as long).
  log('warm-up');
  for (let i = 0; i < 2; i++) await measureUpperBound(stack, smallBodies, 'ub', settings.concurrency);
  await measureBackfill(stack, small, 'bf', { build: 'src', concurrency: 4 });

  const upper = (bodies: typeof smallBodies, concurrency: number) =>
    quietly(() => measureUpperBound(stack, bodies, 'ub', concurrency), QUIET);
  const backfill = (workload: Workload, scenario: Parameters<typeof measureBackfill>[3]) =>
    quietly(() => measureBackfill(stack, workload, 'bf', scenario), QUIET);
  // The clock stops when the last document is searchable, but `_count` is polled only once the worker
  // has logged every file: searches during the run would keep the shards refreshing every second.
  const worker = (workload: Workload, scenario: Parameters<typeof measureWorker>[2]) =>
    quietly(() => measureWorker(stack, workload, { quietCluster: true, ...scenario }), QUIET);

  const rounds: Array<IngestResults['rounds'][number]> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const upperBound = await upper(mainBodies, settings.concurrency);
    log(describe(`round ${round} upper bound`, upperBound));
    const backfilled = await backfill(mainWorkload, { build: 'src', concurrency: 4 });
    log(describe(`round ${round} backfill`, backfilled));
    const worked = await worker(mainWorkload, { build: 'src' });
    log(describe(`round ${round} worker`, worked));
    // The same three with the cluster on a core of its own (see withDedicatedClusterCpu).
    const dedicated = await withDedicatedClusterCpu(stack.groups, async () => {
      const u = await upper(mainBodies, settings.concurrency);
      log(describe(`round ${round} upper bound, dedicated cluster core`, u));
      const b = await backfill(mainWorkload, { build: 'src', concurrency: 4 });
      log(describe(`round ${round} backfill, dedicated cluster core`, b));
      const w = await worker(mainWorkload, { build: 'src' });
      log(describe(`round ${round} worker, dedicated cluster core`, w));
      return { upperBound: u, backfill: b, worker: w };
    });
    rounds.push({ upperBound, backfill: backfilled, worker: worked, dedicated });
  }
  // What searching while indexing costs: `_count` every 200 ms from the first upload (as a dashboard would).
  const polledWorker = await worker(mainWorkload, { build: 'src', quietCluster: false });
  log(describe('worker, _count polled during the run', polledWorker));
  const mainRequests = mainBodies.bodies.length;
  // About 2 GB of bodies for the large workload: not needed any more.
  mainBodies = { bodies: [], documents: 0, bytes: 0, indexes: [] };

  // Ingestion lag when the worker keeps up: uploads paced at half the upper bound's rate.
  const pace = 0.5 * median(rounds.map((r) => eventsPerSecond(r.upperBound)));
  const paced: Measurement[] = [];
  for (let run = 1; run <= ROUNDS; run++) {
    paced.push(await worker(small, { build: 'src', paceEventsPerSecond: pace }));
    log(describe(`paced worker ${run}`, paced.at(-1)!));
  }

  const memory: IngestResults['memory'] = [];
  const memoryVariants = [
    { label: 'worker, `node src/bin/cli.ts`', build: 'src' },
    { label: 'worker, `node dist/bin/cli.js` (no V8 flags)', build: 'dist' },
    {
      label: `worker, \`node ${IMAGE_NODE_OPTIONS} dist/bin/cli.js\` (the image)`,
      build: 'dist',
      nodeOptions: IMAGE_NODE_OPTIONS,
    },
  ] as const;
  for (let run = 1; run <= MEMORY_RUNS; run++) {
    for (const variant of memoryVariants) {
      const m = await worker(bigFile, {
        build: variant.build,
        ...('nodeOptions' in variant ? { nodeOptions: variant.nodeOptions } : {}),
      });
      log(describe(`memory ${variant.label} ${run}`, m));
      const entry = memory.find((e) => e.label === variant.label);
      if (entry) entry.runs.push(m);
      else memory.push({ label: variant.label, workload: bigFile.spec.name, runs: [m] });
    }
  }
  const imageBackfill = await backfill(mainWorkload, {
    build: 'dist',
    concurrency: 4,
    nodeOptions: IMAGE_NODE_OPTIONS,
  });
  log(describe("backfill, dist, the image's Node flags", imageBackfill));
  // Where the memory goes: the V8 heap on the 200 MB file, without V8 flags and with the image's.
  const gcTraces = {
    plain: await backfill(bigFile, { build: 'dist', concurrency: 4, traceGc: true }),
    image: await backfill(bigFile, {
      build: 'dist',
      concurrency: 4,
      nodeOptions: IMAGE_NODE_OPTIONS,
      traceGc: true,
    }),
  };
  log(describe('backfill of the 200 MB file, --trace-gc', gcTraces.plain));

  const scaling: IngestResults['scaling'] = SCALING_LEVELS.map((concurrency) => ({
    concurrency,
    upperBound: [],
    backfill: [],
    backfillBulk: [],
  }));
  const perFile: Measurement[] = [];
  const fullAtDefault: Measurement[] = [];
  for (let run = 1; run <= SCALING_RUNS; run++) {
    for (const level of scaling) {
      const c = level.concurrency;
      level.upperBound.push(await upper(smallBodies, c));
      level.backfill.push(await backfill(small, { build: 'src', concurrency: c }));
      level.backfillBulk.push(
        await backfill(small, {
          build: 'src',
          concurrency: c,
          env: { BULK_CONCURRENCY: String(c) },
        }),
      );
      log(
        `scaling ${c}: upper bound ${Math.round(eventsPerSecond(level.upperBound.at(-1)!))}, backfill ` +
          `${Math.round(eventsPerSecond(level.backfill.at(-1)!))}, with BULK_CONCURRENCY=${c} ${Math.round(eventsPerSecond(level.backfillBulk.at(-1)!))} events/s`,
      );
    }
    // Requests cut at file ends, as the product cuts them, against full requests: the cost of smaller requests.
    fullAtDefault.push(await upper(smallBodies, settings.concurrency));
    perFile.push(await upper(smallPerFile, settings.concurrency));
    log(
      `batching: full ${Math.round(eventsPerSecond(fullAtDefault.at(-1)!))}, per file ${Math.round(eventsPerSecond(perFile.at(-1)!))} events/s`,
    );
  }

  log('profiling one backfill of the small workload');
  const profiled = await profileBackfill(stack, small, 'bf', 'src');
  return {
    workloads: { main: mainWorkload, small, bigFile },
    bulkRequests: {
      main: mainRequests,
      smallFull: smallBodies.bodies.length,
      smallPerFile: smallPerFile.bodies.length,
    },
    rounds,
    polledWorker,
    paced,
    pace,
    memory,
    imageBackfill,
    gcTraces,
    scaling,
    batching: { full: fullAtDefault, perFile },
    profile: profiled,
  };
}

await main();
