/**
 * Issue 19, parts 2 and 4: the product's own CPU per event (backfill and worker end to end) and the
 * worker against the cluster's upper bound, with a dedicated cluster core and on shared cores; beside
 * the same runs of a baseline commit, in the same rounds. Then where the CPU goes: a CPU profile of
 * one backfill and a GC trace.
 *
 *   node bench/process-cpu.ts [--baseline COMMIT] [--worker-env KEY=VALUE ...]   # writes the process-cpu section of bench/RESULTS.md
 *   node bench/process-cpu.ts --report-only          # the section again from the last raw figures
 *
 * BENCH_WORKLOAD (small: 100k events, the default; large: 1M), BENCH_RUNS (rounds, 3),
 * BENCH_UPPER_BOUNDS (which upper-bound variants, e.g. `full@2,per-file@4`; all by default). The product
 * runs as `dist` (what `npx cloudtrail-indexer` and the image run), with no Node flags of its own.
 * Each `--worker-env KEY=VALUE` adds a run of the product's worker with that setting to every round.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRANSFORM_OPTIONS } from '../src/pipeline/transform-log-file.ts';
import { startBenchStack } from './bench-stack.ts';
import { buildBaseline, buildDist, type CliBuild } from './cli-process.ts';
import { withDedicatedClusterCpu } from './cpu-pinning.ts';
import { ensureWorkload, WORKLOAD_ROOT, WORKLOADS } from './generate-workload.ts';
import { productUnderTest } from './ingest-report.ts';
import {
  eventsPerSecond,
  type Measurement,
  measureBackfill,
  measureUpperBound,
  measureWorker,
  otherCores,
  profileBackfill,
  quietly,
} from './ingest-scenarios.ts';
import { formatProfile, type ProfileSummary } from './profile-summary.ts';
import { writeSection } from './results-section.ts';
import { formatNumber, formatRuns, median } from './stats.ts';
import { type BulkBodies, buildBulkBodies, productBulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const RAW = join(WORKLOAD_ROOT, 'process-cpu-results.json');
const WORKLOAD = process.env.BENCH_WORKLOAD === 'large' ? 'large' : 'small';
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const QUIET = { maxOtherCores: Number(process.env.BENCH_MAX_OTHER_CORES ?? 0.5), maxAttempts: 2, log };

type Setting = 'shared' | 'dedicated';
type Run =
  | 'upper bound'
  | `upper bound, ${string}`
  | `${'backfill' | 'worker'} ${CliBuild}`
  | `worker, ${string}`;

/**
 * The upper bound is the cluster's limit for these documents: the fastest of several ways of posting
 * them, each timed with the worker's clock (from before the first index creation to every document
 * searchable; ingest-scenarios.ts `to-searchable`). One way alone was not the limit: with the product's
 * BULK_CONCURRENCY (2) in flight, 4 were 25 % faster (worker-gaps.ts); and 5 MB bodies cost OpenSearch
 * 254–274 µs/event with a dedicated core against 223 for the worker's per-file requests, so the worker
 * came out at 1.07 of a 5 MB-only upper bound (20:54 run). Every variant is listed in the report.
 * - `full`: requests run across files, as full as BULK_MAX_BYTES / BULK_MAX_DOCUMENTS allow (5 MB);
 * - `1mb`: the same, cut at 1 MB;
 * - `per-file`: ended with each file, as the worker's bulk writer sends them (p50 ~1,000 documents);
 * each with BULK_CONCURRENCY and twice as many requests in flight.
 */
const UPPER_BOUND_BODIES = ['full', '1mb', 'per-file'] as const;
type UpperBoundBodies = (typeof UPPER_BOUND_BODIES)[number];
const UPPER_BOUND_IN_FLIGHT_FACTORS = [1, 2] as const;

interface UpperBoundVariant {
  readonly bodies: UpperBoundBodies;
  readonly inFlight: number;
}

function upperBoundVariants(concurrency: number, spec = process.env.BENCH_UPPER_BOUNDS): UpperBoundVariant[] {
  if (spec) {
    return spec.split(',').map((entry) => {
      const [bodies, inFlight] = entry.split('@');
      if (!UPPER_BOUND_BODIES.includes(bodies as UpperBoundBodies) || !(Number(inFlight) > 0))
        throw new Error(`BENCH_UPPER_BOUNDS: ${entry} is not one of ${UPPER_BOUND_BODIES.join('|')}@N`);
      return { bodies: bodies as UpperBoundBodies, inFlight: Number(inFlight) };
    });
  }
  return UPPER_BOUND_BODIES.flatMap((bodies) =>
    UPPER_BOUND_IN_FLIGHT_FACTORS.map((factor) => ({ bodies, inFlight: concurrency * factor })),
  );
}

const variantRun = (v: UpperBoundVariant): Run =>
  `upper bound, ${v.bodies} requests, ${v.inFlight} in flight`;

/** `--worker-env KEY=VALUE`, repeatable: one extra worker run per round with that setting. */
function workerVariants(argv: readonly string[]): Array<Record<string, string>> {
  const variants: Array<Record<string, string>> = [];
  argv.forEach((arg, i) => {
    if (arg !== '--worker-env') return;
    const [key, ...value] = (argv[i + 1] ?? '').split('=');
    if (!key || value.length === 0) throw new Error('--worker-env needs KEY=VALUE');
    variants.push({ [key]: value.join('=') });
  });
  return variants;
}

interface Results {
  readonly measuredAt: string;
  readonly minutes: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly product: string;
  readonly baseline?: string;
  readonly workload: { name: string; files: number; events: number };
  readonly rounds: number;
  /** The upper bound's request sets: how many requests, and their median size. */
  readonly upperBoundBodies?: Partial<
    Record<UpperBoundBodies, { requests: number; medianDocuments: number; medianKb: number }>
  >;
  /** runs[setting][run] = one measurement per round. */
  readonly runs: Record<Setting, Partial<Record<Run, Measurement[]>>>;
  readonly profile: { measurement: Measurement; profile: ProfileSummary };
  readonly gc: Partial<Record<CliBuild, Measurement>>;
}

function log(line: string): void {
  process.stderr.write(`[process-cpu ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function describeBodies(set: BulkBodies): { requests: number; medianDocuments: number; medianKb: number } {
  const documents = set.bodies.map((body) => {
    let lines = 0;
    for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) lines++;
    return lines / 2;
  });
  return {
    requests: set.bodies.length,
    medianDocuments: median(documents),
    medianKb: median(set.bodies.map((body) => body.length / 1024)),
  };
}

const perEventUs = (seconds: number, m: Measurement): number => (seconds / m.events) * 1e6;

function describeRun(name: string, m: Measurement): string {
  return (
    `${name}: ${Math.round(eventsPerSecond(m))} events/s (${m.seconds.toFixed(1)} s); CPU µs/event: process ` +
    `${perEventUs(m.processCpu, m).toFixed(1)}, OpenSearch ${perEventUs(m.opensearchCpu, m).toFixed(1)}, LocalStack ` +
    `${perEventUs(m.localstackCpu, m).toFixed(1)}; other work ${otherCores(m).toFixed(2)} cores` +
    (m.peakRssKb ? `; peak RSS ${Math.round(m.peakRssKb / 1024)} MB` : '')
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    writeSection(RESULTS, 'process-cpu', formatReport(JSON.parse(readFileSync(RAW, 'utf8')) as Results));
    return;
  }
  const started = Date.now();
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const baselineAt = process.argv.indexOf('--baseline');
  const workload = await ensureWorkload(WORKLOADS[WORKLOAD], log);
  const small = await ensureWorkload(WORKLOADS.small, log);
  buildDist();
  const baseline = baselineAt > 0 ? buildBaseline(process.argv[baselineAt + 1] ?? 'main') : undefined;
  const builds: CliBuild[] = baseline ? ['dist', 'baseline'] : ['dist'];
  const settings = productBulkSettings({});
  const variants = upperBoundVariants(settings.concurrency);
  const transform = { ...DEFAULT_TRANSFORM_OPTIONS, indexPrefix: 'ub' };
  const bodySets: Partial<Record<UpperBoundBodies, BulkBodies>> = {};
  for (const name of new Set(variants.map((v) => v.bodies))) {
    bodySets[name] = await buildBulkBodies(
      workload,
      name === '1mb' ? { ...settings, maxBytes: 1024 * 1024 } : settings,
      transform,
      name === 'per-file' ? 'per-file' : 'full',
    );
  }
  const upperBoundBodies: Results['upperBoundBodies'] = Object.fromEntries(
    Object.entries(bodySets).map(([name, set]) => [name, describeBodies(set)]),
  );
  log(`upper bound requests: ${JSON.stringify(upperBoundBodies)}`);
  const extraWorkers = workerVariants(process.argv);
  const stack = await startBenchStack(log);
  try {
    log('warm-up');
    await measureUpperBound(
      stack,
      bodySets[variants[0]!.bodies]!,
      'ub',
      settings.concurrency,
      'to-searchable',
    );
    await measureBackfill(stack, small, 'bf', { build: 'dist', concurrency: 4 });
    // 'upper bound' first, so that it heads each setting's rows.
    const runs: Results['runs'] = { shared: { 'upper bound': [] }, dedicated: { 'upper bound': [] } };
    const record = (setting: Setting, run: Run, m: Measurement): void => {
      runs[setting][run] ??= [];
      runs[setting][run].push(m);
      log(describeRun(`${setting}, ${run}`, m));
    };
    const round = async (setting: Setting): Promise<void> => {
      const bounds: Measurement[] = [];
      for (const variant of variants) {
        const bound = await quietly(
          () => measureUpperBound(stack, bodySets[variant.bodies]!, 'ub', variant.inFlight, 'to-searchable'),
          QUIET,
        );
        record(setting, variantRun(variant), bound);
        bounds.push(bound);
      }
      const fastest = bounds.reduce((best, m) => (eventsPerSecond(m) > eventsPerSecond(best) ? m : best));
      record(setting, 'upper bound', fastest);
      for (const build of builds) {
        record(
          setting,
          `backfill ${build}`,
          await quietly(() => measureBackfill(stack, workload, 'bf', { build, concurrency: 4 }), QUIET),
        );
        record(
          setting,
          `worker ${build}`,
          await quietly(() => measureWorker(stack, workload, { build, quietCluster: true }), QUIET),
        );
      }
      for (const env of extraWorkers) {
        record(
          setting,
          `worker, ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
          await quietly(
            () => measureWorker(stack, workload, { build: 'dist', quietCluster: true, env }),
            QUIET,
          ),
        );
      }
    };
    for (let r = 1; r <= ROUNDS; r++) {
      log(`round ${r}`);
      await round('shared');
      await withDedicatedClusterCpu(stack.groups, () => round('dedicated'));
    }
    log('profiling one backfill');
    const profile = await profileBackfill(stack, workload, 'bf', 'dist');
    const gc: Results['gc'] = {};
    for (const build of builds) {
      gc[build] = await measureBackfill(stack, workload, 'bf', { build, concurrency: 4, traceGc: true });
    }
    const results: Results = {
      measuredAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
      minutes: (Date.now() - started) / 60_000,
      loadBefore,
      loadAfter: readFileSync('/proc/loadavg', 'utf8').trim(),
      product: productUnderTest(),
      ...(baseline ? { baseline } : {}),
      workload: { name: workload.spec.name, files: workload.files.length, events: workload.events },
      rounds: ROUNDS,
      upperBoundBodies,
      runs,
      profile,
      gc,
    };
    mkdirSync(WORKLOAD_ROOT, { recursive: true });
    writeFileSync(RAW, JSON.stringify(results));
    writeSection(RESULTS, 'process-cpu', formatReport(results));
    log(`written to ${RESULTS} (${results.minutes.toFixed(1)} min)`);
  } finally {
    await stack.stop();
  }
}

const SETTING_LABELS: Record<Setting, string> = {
  shared: 'shared cores',
  dedicated: 'dedicated cluster core',
};

const runLabel = (run: Run, baseline: string | undefined): string =>
  run.replace(' dist', '').replace(' baseline', ` (baseline ${baseline})`);

function describeUpperBoundBodies(r: Results): string {
  const sets = Object.entries(r.upperBoundBodies ?? {});
  if (sets.length === 0) return '';
  return `: ${sets.map(([name, d]) => `${name} requests ${d.requests} of median ${formatNumber(d.medianDocuments)} documents, ${formatNumber(d.medianKb)} KB`).join('; ')}`;
}

/**
 * Where the remainder goes on shared cores: if every process were only CPU-bound, the cores could
 * give at most cores / (CPU per event of OpenSearch + the product + LocalStack) events per second.
 * With a dedicated cluster core the two sides are separate budgets: the cluster's core, and the rest for
 * the product and LocalStack; the ceiling is the smaller. Per round, from the run's own CPU figures.
 */
function formatCpuBudget(r: Results): string[] {
  const cores = cpus().length;
  const lines = [
    '### CPU budget: the events/s the cores could give if the run were only CPU-bound',
    '',
    `Per run: ceiling = cores ÷ (OpenSearch + product + LocalStack CPU per event); shared: ${cores} cores for all three; dedicated: 1 core for OpenSearch, ${cores - 1} for the rest, the smaller of the two budgets. "of the ceiling" is how much of it the run got; "ceiling ÷ upper bound" is the most a CPU-bound run could reach against the round's upper bound (the rest of the ratio is what CPU alone takes). Other work (other sessions) is CPU the run could not use.`,
    '',
    '| setting | round | run | OpenSearch + product + LocalStack µs/event | CPU-bound ceiling, events/s | measured events/s | of the ceiling | ceiling ÷ upper bound | ratio to the upper bound | other work, cores |',
    '|---|---:|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const setting of ['shared', 'dedicated'] as const) {
    const upper = r.runs[setting]['upper bound'] ?? [];
    for (const [run, measurements] of Object.entries(r.runs[setting]) as Array<[Run, Measurement[]]>) {
      if (run.startsWith('upper bound,')) continue;
      measurements.forEach((m, i) => {
        const [os, product, localstack] = [m.opensearchCpu, m.processCpu, m.localstackCpu].map((c) =>
          perEventUs(c, m),
        ) as [number, number, number];
        const ceiling =
          setting === 'shared'
            ? (cores * 1e6) / (os + product + localstack)
            : Math.min(1e6 / os, ((cores - 1) * 1e6) / (product + localstack));
        const bound = upper[i] ? eventsPerSecond(upper[i]) : Number.NaN;
        lines.push(
          `| ${SETTING_LABELS[setting]} | ${i + 1} | ${runLabel(run, r.baseline)} | ${os.toFixed(0)} + ${product.toFixed(0)} + ${localstack.toFixed(0)} | ${formatNumber(ceiling)} | ${formatNumber(eventsPerSecond(m))} | ${formatNumber(eventsPerSecond(m) / ceiling, 2)} | ${formatNumber(ceiling / bound, 2)} | ${formatNumber(eventsPerSecond(m) / bound, 2)} | ${otherCores(m).toFixed(2)} |`,
        );
      });
    }
  }
  return lines;
}

function formatReport(r: Results): string {
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], {
    encoding: 'utf8',
  }).trim();
  const lines: string[] = [
    '## process CPU per event and the worker at the cluster limit (issue 19, parts 2 and 4)',
    '',
    `Reproduce: \`node bench/process-cpu.ts${r.baseline ? ` --baseline ${r.baseline}` : ''}\` (\`BENCH_WORKLOAD=${r.workload.name === 'ingest-large' ? 'large' : 'small'}\`, \`BENCH_RUNS=${r.rounds}\`), under \`flock /work/coord/bench.lock\` on this shared machine.`,
    '',
    `Measured ${r.measuredAt} UTC in ${r.minutes.toFixed(0)} min on ${cpu} (${cpus().length} cores, shared with other work; load average ${r.loadBefore.split(' ').slice(0, 3).join(' ')} before, ${r.loadAfter.split(' ').slice(0, 3).join(' ')} after); product at ${r.product}${r.baseline ? `, baseline ${r.baseline}` : ''}. Workload \`${r.workload.name}\`: ${r.workload.files} files, ${formatNumber(r.workload.events)} events. ${r.rounds} rounds, each the upper bound (the fastest of the variants listed under it${describeUpperBoundBodies(r)}; each timed as the worker is, from before the first index creation to every document searchable), then the backfill and the worker of each build, on shared cores and then with OpenSearch pinned to a core of its own (everything else on the other); ratios are taken within a round. Both builds run as compiled JavaScript (\`node dist/bin/cli.js\`, no Node flags), backfill \`--concurrency 4\`, defaults otherwise. Medians ± half the range; the runs in brackets.`,
    '',
    '| setting | run | events/s | ratio to the upper bound | product CPU µs/event | OpenSearch CPU µs/event | LocalStack CPU µs/event | peak RSS MB |',
    '|---|---|---:|---|---:|---:|---:|---:|',
  ];
  for (const setting of ['shared', 'dedicated'] as const) {
    const upper = r.runs[setting]['upper bound'] ?? [];
    for (const [run, measurements] of Object.entries(r.runs[setting]) as Array<[Run, Measurement[]]>) {
      const ratios = measurements.map((m, i) => eventsPerSecond(m) / eventsPerSecond(upper[i]!));
      const us = (pick: (m: Measurement) => number) =>
        median(measurements.map((m) => perEventUs(pick(m), m)));
      lines.push(
        `| ${SETTING_LABELS[setting]} | ${runLabel(run, r.baseline)} | ${formatRuns(measurements.map(eventsPerSecond))} | ${run === 'upper bound' ? '1' : `**${formatNumber(median(ratios), 2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')})`} | ${run.startsWith('upper bound') ? '(the poster)' : `**${us((m) => m.processCpu).toFixed(1)}** (${measurements.map((m) => perEventUs(m.processCpu, m).toFixed(1)).join(', ')})`} | ${us((m) => m.opensearchCpu).toFixed(1)} | ${us((m) => m.localstackCpu).toFixed(1)} | ${measurements[0]?.peakRssKb ? formatNumber(median(measurements.map((m) => (m.peakRssKb ?? 0) / 1024))) : ''} |`,
      );
    }
  }
  lines.push('', ...formatCpuBudget(r));
  lines.push('', `### Profile: one backfill (\`dist\`) under \`node --cpu-prof\` (self time)`, '');
  lines.push(
    `${formatNumber(eventsPerSecond(r.profile.measurement))} events/s, process CPU ${perEventUs(r.profile.measurement.processCpu, r.profile.measurement).toFixed(1)} µs/event under the profiler.`,
    '',
    formatProfile(r.profile.profile, 25),
  );
  lines.push('', '### GC trace: one backfill under `node --trace-gc`', '');
  for (const [build, m] of Object.entries(r.gc)) {
    if (!m?.gc) continue;
    lines.push(
      `- ${build === 'dist' ? 'product' : `baseline ${r.baseline}`}: ${m.gc.scavenges} scavenges, ${m.gc.markCompacts} full collections; heap up to ${m.gc.maxUsedMb.toFixed(0)} MB used, ${m.gc.maxCommittedMb.toFixed(0)} MB reserved, live after a full collection at most ${m.gc.maxLiveMb.toFixed(0)} MB; process CPU ${perEventUs(m.processCpu, m).toFixed(1)} µs/event, peak RSS ${Math.round((m.peakRssKb ?? 0) / 1024)} MB.`,
    );
  }
  lines.push('', '<details><summary>Every run</summary>', '');
  for (const setting of ['shared', 'dedicated'] as const) {
    for (const [run, measurements] of Object.entries(r.runs[setting]) as Array<[Run, Measurement[]]>) {
      measurements.forEach((m, i) => {
        lines.push(`- round ${i + 1}, ${setting}, ${run}: ${describeRun('', m).slice(2)}`);
      });
    }
  }
  lines.push('', '</details>');
  return lines.join('\n');
}

await main();
