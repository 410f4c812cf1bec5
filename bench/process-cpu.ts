/**
 * Issue 19, parts 2 and 4: the product's own CPU per event (backfill and worker end to end) and the
 * worker against the cluster's upper bound, with a dedicated cluster core and on shared cores; beside
 * the same runs of a baseline commit, in the same rounds. Then where the CPU goes: a CPU profile of
 * one backfill and a GC trace.
 *
 *   node bench/process-cpu.ts [--baseline COMMIT]   # writes the process-cpu section of bench/RESULTS.md
 *   node bench/process-cpu.ts --report-only          # the section again from the last raw figures
 *
 * BENCH_WORKLOAD (small: 100k events, the default; large: 1M), BENCH_RUNS (rounds, 3). The product
 * runs as `dist` (what `npx cloudtrail-indexer` and the image run), with no Node flags of its own.
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
import { buildBulkBodies, productBulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const RAW = join(WORKLOAD_ROOT, 'process-cpu-results.json');
const WORKLOAD = process.env.BENCH_WORKLOAD === 'large' ? 'large' : 'small';
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const QUIET = { maxOtherCores: Number(process.env.BENCH_MAX_OTHER_CORES ?? 0.5), maxAttempts: 2, log };

type Setting = 'shared' | 'dedicated';
type Run = 'upper bound' | `upper bound, ${number} in flight` | `${'backfill' | 'worker'} ${CliBuild}`;

/**
 * The upper bound is the faster of these: with only the product's BULK_CONCURRENCY (2) in flight it was
 * not the cluster's limit (worker-gaps.ts measured 4 in flight 25 % faster, and the worker came out at
 * 1.12 of it with a dedicated cluster core in the 19:41 run).
 */
const UPPER_BOUND_IN_FLIGHT_FACTORS = [1, 2] as const;

interface Results {
  readonly measuredAt: string;
  readonly minutes: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly product: string;
  readonly baseline?: string;
  readonly workload: { name: string; files: number; events: number };
  readonly rounds: number;
  /** runs[setting][run] = one measurement per round. */
  readonly runs: Record<Setting, Partial<Record<Run, Measurement[]>>>;
  readonly profile: { measurement: Measurement; profile: ProfileSummary };
  readonly gc: Partial<Record<CliBuild, Measurement>>;
}

function log(line: string): void {
  process.stderr.write(`[process-cpu ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
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
  const bodies = await buildBulkBodies(workload, settings, {
    ...DEFAULT_TRANSFORM_OPTIONS,
    indexPrefix: 'ub',
  });
  const stack = await startBenchStack(log);
  try {
    log('warm-up');
    await measureUpperBound(stack, bodies, 'ub', settings.concurrency);
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
      for (const factor of UPPER_BOUND_IN_FLIGHT_FACTORS) {
        const inFlight = settings.concurrency * factor;
        const bound = await quietly(() => measureUpperBound(stack, bodies, 'ub', inFlight), QUIET);
        record(setting, `upper bound, ${inFlight} in flight`, bound);
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

function formatReport(r: Results): string {
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], {
    encoding: 'utf8',
  }).trim();
  const lines: string[] = [
    '## process CPU per event and the worker at the cluster limit (issue 19, parts 2 and 4)',
    '',
    `Reproduce: \`node bench/process-cpu.ts${r.baseline ? ` --baseline ${r.baseline}` : ''}\` (\`BENCH_WORKLOAD=${r.workload.name === 'ingest-large' ? 'large' : 'small'}\`, \`BENCH_RUNS=${r.rounds}\`), under \`flock /work/coord/bench.lock\` on this shared machine.`,
    '',
    `Measured ${r.measuredAt} UTC in ${r.minutes.toFixed(0)} min on ${cpu} (${cpus().length} cores, shared with other work; load average ${r.loadBefore.split(' ').slice(0, 3).join(' ')} before, ${r.loadAfter.split(' ').slice(0, 3).join(' ')} after); product at ${r.product}${r.baseline ? `, baseline ${r.baseline}` : ''}. Workload \`${r.workload.name}\`: ${r.workload.files} files, ${formatNumber(r.workload.events)} events. ${r.rounds} rounds, each the upper bound (the faster of the product's BULK_CONCURRENCY and twice as many bulk requests in flight, both listed), then the backfill and the worker of each build, on shared cores and then with OpenSearch pinned to a core of its own (everything else on the other); ratios are taken within a round. Both builds run as compiled JavaScript (\`node dist/bin/cli.js\`, no Node flags), backfill \`--concurrency 4\`, defaults otherwise. Medians ± half the range; the runs in brackets.`,
    '',
    '| setting | run | events/s | ratio to the upper bound | product CPU µs/event | OpenSearch CPU µs/event | LocalStack CPU µs/event |',
    '|---|---|---:|---|---:|---:|---:|',
  ];
  for (const setting of ['shared', 'dedicated'] as const) {
    const upper = r.runs[setting]['upper bound'] ?? [];
    for (const [run, measurements] of Object.entries(r.runs[setting]) as Array<[Run, Measurement[]]>) {
      const ratios = measurements.map((m, i) => eventsPerSecond(m) / eventsPerSecond(upper[i]!));
      const us = (pick: (m: Measurement) => number) =>
        median(measurements.map((m) => perEventUs(pick(m), m)));
      lines.push(
        `| ${setting === 'shared' ? 'shared cores' : 'dedicated cluster core'} | ${run.replace(' dist', '').replace(' baseline', ` (baseline ${r.baseline})`)} | ${formatRuns(measurements.map(eventsPerSecond))} | ${run === 'upper bound' ? '1' : `**${formatNumber(median(ratios), 2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')})`} | ${run.startsWith('upper bound') ? '(the poster)' : `**${us((m) => m.processCpu).toFixed(1)}** (${measurements.map((m) => perEventUs(m.processCpu, m).toFixed(1)).join(', ')})`} | ${us((m) => m.opensearchCpu).toFixed(1)} | ${us((m) => m.localstackCpu).toFixed(1)} |`,
      );
    }
  }
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
