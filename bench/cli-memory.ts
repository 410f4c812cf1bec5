/**
 * Memory as users run the CLI (issue 19 part 3): the peak RSS of `npx cloudtrail-indexer ...`, for a
 * git revision (default `main`) and for the working tree, side by side, rounds alternated. A benchmark,
 * never a test.
 *
 *   node bench/cli-memory.ts [--before main] [--runs 3]
 *
 * Each build's CLI file is run itself, through its shebang, with node_modules/.bin first on PATH: what
 * npx does once it has found the command's link (npx's own npm process, which waits beside it, is not
 * the product's and is not counted). Scenarios, each under GNU time (the kernel's high-water mark) or
 * VmHWM:
 * - idle: `--version`; `transform` of `{"Records":[]}`; the worker once it has logged `worker started`
 *   (a fresh, empty queue; nothing received);
 * - `backfill --local` of the 100k-event workload (bench/workload/ingest-small) and of the 200 MB log file
 *   (ingest-big-file), into the benchmark's own OpenSearch, defaults otherwise.
 * Results go into RESULTS.md, section `cli-memory`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotificationResources } from '../scripts/stack/resources.ts';
import { runBackfill } from './backfill-run.ts';
import { deleteIndexes, startBenchStack } from './bench-stack.ts';
import { buildDist, buildRevision, cliEntry, runUnderGnuTime, startProcess } from './cli-process.ts';
import { ensureWorkload, WORKLOADS } from './generate-workload.ts';
import { procStatusKb } from './process-memory.ts';
import { writeSection } from './results-section.ts';
import { formatNumber, median } from './stats.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const before = arg('before', 'main');
const runs = Number(arg('runs', '3'));
const log = (line: string): void => console.log(`[cli-memory] ${line}`);
/** The seed's peak RSS on the 100k workload, from issue 19's side-by-side record run, and the goal (1.7×). */
const SEED_PEAK_RSS_MB = 89;
const GOAL_PEAK_RSS_MB = 150;
/** As npx runs a command: the checkout's node_modules/.bin (and so its Node 24) first on PATH. */
const PATH = `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`;

interface Sample {
  readonly peakMb: number;
  readonly cpuSeconds?: number;
  readonly wallSeconds?: number;
}

const kbToMb = (kb: number): number => kb / 1024;

async function idleCommand(entry: string, args: readonly string[]): Promise<Sample> {
  const run = await runUnderGnuTime(args, { PATH, HOME: process.env.HOME ?? '' }, tmpdir(), entry);
  if (run.status !== 0)
    throw new Error(`${entry} ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr.slice(0, 1500)}`);
  return { peakMb: kbToMb(run.timeField('Maximum resident set size \\(kbytes\\)')) };
}

async function idleWorker(
  entry: string,
  stack: Awaited<ReturnType<typeof startBenchStack>>,
): Promise<Sample> {
  const id = `climem-${process.pid}-${Date.now()}`;
  const aws = { endpoint: stack.env.AWS_ENDPOINT_URL, region: stack.env.AWS_REGION };
  const resources = await createNotificationResources(aws, {
    bucket: id,
    queue: id,
    dlq: `${id}-dlq`,
    maxReceiveCount: 5,
  });
  const worker = startProcess(entry, ['worker'], {
    PATH,
    ...stack.env,
    QUEUE_URL: resources.queueUrl,
    DLQ_URL: resources.dlqUrl,
    // Not under the backfill's `climem-<pid>-*`: OpenSearch refuses two templates of one priority whose
    // index patterns overlap.
    INDEX_PREFIX: `idle-${id}`,
    HEALTH_PORT: '0',
    PAUSE_PARAMETER_NAME: `/${id}/paused`,
    LOG_LEVEL: 'info',
  });
  try {
    await worker.waitForLog((line) => line.msg === 'worker started', 60_000);
    // Let start-up garbage settle and the first long poll begin.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return { peakMb: kbToMb(procStatusKb(worker.child.pid as number, 'VmHWM')) };
  } finally {
    // The queue and bucket go with the benchmark's own LocalStack.
    await worker.stop(3_000);
  }
}

async function backfill(
  entry: string,
  folder: string,
  stack: Awaited<ReturnType<typeof startBenchStack>>,
): Promise<Sample> {
  const prefix = `climem-${process.pid}`;
  try {
    const run = await runBackfill({
      build: 'dist',
      executable: entry,
      folder,
      concurrency: 4,
      env: { PATH, OPENSEARCH_URL: stack.env.OPENSEARCH_URL, INDEX_PREFIX: prefix },
    });
    return {
      peakMb: kbToMb(run.maxRssKb),
      cpuSeconds: run.userSeconds + run.systemSeconds,
      wallSeconds: run.wallSeconds,
    };
  } finally {
    await deleteIndexes(stack.env.OPENSEARCH_URL, `${prefix}-*`);
  }
}

const small = await ensureWorkload(WORKLOADS.small, log);
const bigFile = await ensureWorkload(WORKLOADS['big-file'], log);
log(`building ${before} and the working tree`);
buildDist();
const builds = [
  { label: before, entry: buildRevision(before) },
  { label: 'this change', entry: cliEntry('dist') },
] as const;
const emptyLog = join(mkdtempSync(join(tmpdir(), 'cli-memory-')), 'empty.json');
writeFileSync(emptyLog, '{"Records":[]}');
const stack = await startBenchStack(log);
const loadBefore = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const started = Date.now();
const scenarios = [
  { label: 'idle: `--version`', run: (entry: string) => idleCommand(entry, ['--version']) },
  {
    label: 'idle: `transform` of `{"Records":[]}`',
    run: (entry: string) => idleCommand(entry, ['transform', emptyLog]),
  },
  { label: 'idle: `worker`, started, nothing received', run: (entry: string) => idleWorker(entry, stack) },
  {
    label: `\`backfill --local\`, 100k workload (${small.files.length} files)`,
    run: (entry: string) => backfill(entry, small.dir, stack),
  },
  {
    label: '`backfill --local`, the 200 MB file (155,000 events)',
    run: (entry: string) => backfill(entry, bigFile.dir, stack),
  },
] as const;
const samples = new Map<string, Sample[]>();
try {
  for (let round = 1; round <= runs; round++) {
    for (const scenario of scenarios) {
      // Alternate which build goes first, so neither always meets a warmer or a busier machine.
      const order = round % 2 === 1 ? builds : [...builds].reverse();
      for (const build of order) {
        const sample = await scenario.run(build.entry);
        const key = `${scenario.label}\u0000${build.label}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        log(`round ${round}: ${scenario.label}, ${build.label}: ${sample.peakMb.toFixed(1)} MB`);
      }
    }
  }
} finally {
  await stack.stop();
}

const loadAfter = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const cell = (list: readonly Sample[]): string =>
  `**${formatNumber(median(list.map((s) => s.peakMb)), 1)}** (${list.map((s) => formatNumber(s.peakMb, 0)).join(', ')})`;
const cpu = (list: readonly Sample[]): string =>
  list[0]?.cpuSeconds === undefined ? '' : formatNumber(median(list.map((s) => s.cpuSeconds as number)), 1);
const rows = scenarios.map((scenario) => {
  const [a, b] = builds.map((build) => samples.get(`${scenario.label}\u0000${build.label}`) ?? []) as [
    Sample[],
    Sample[],
  ];
  const ratio = median(b.map((s) => s.peakMb)) / median(a.map((s) => s.peakMb));
  return `| ${scenario.label} | ${cell(a)} | ${cell(b)} | ${formatNumber(ratio, 2)} | ${cpu(a)} | ${cpu(b)} |`;
});
writeSection(
  RESULTS,
  'cli-memory',
  `## cli memory: the CLI as users run it (issue 19 part 3)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${((Date.now() - started) / 60_000).toFixed(0)} min on ${cpus()[0]?.model.trim()} (${cpus().length} cores), shared with other work (load average ${loadBefore} before, ${loadAfter} after); Node ${execFileSync(join(ROOT, 'node_modules/.bin/node'), ['--version'], { encoding: 'utf8' }).trim()}. Command: \`node bench/cli-memory.ts --before ${before} --runs ${runs}\`. ${runs} rounds, the two builds alternated within each; each build's \`bin/cli.js\` run itself, through its shebang, with node_modules/.bin first on PATH (what \`npx cloudtrail-indexer\` executes). Peak RSS in MB: the median in bold, each run after it; backfill into the benchmark's own OpenSearch with defaults (\`--concurrency 4\`). The seed (the Python \`bulk_upload\` this replaces) peaked at ${SEED_PEAK_RSS_MB} MB on the 100k workload (issue 19's side-by-side run; not rerun here); the goal is at most ${GOAL_PEAK_RSS_MB} MB (1.7×).

| scenario | ${before}: peak RSS (MB) | this change: peak RSS (MB) | ratio (medians) | ${before}: CPU s (median) | this change: CPU s (median) |
|---|---|---|---:|---:|---:|
${rows.join('\n')}
`,
);
log(`results written to ${RESULTS}`);
