import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Workload } from './generate-workload.ts';
import { eventsPerSecond, type Measurement, otherCpu } from './ingest-scenarios.ts';
import { formatProfile, type ProfileSummary } from './profile-summary.ts';
import { formatRuns, median, formatNumber as n, percentile, spreadPercent } from './stats.ts';
import type { BulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RoundResult {
  readonly upperBound: Measurement;
  readonly backfill: Measurement;
  readonly worker: Measurement;
}

export interface IngestResults {
  readonly record: boolean;
  readonly rounds: ReadonlyArray<
    RoundResult & {
      /** The same runs with OpenSearch on one core and everything else on the other. */
      readonly dedicated: RoundResult;
    }
  >;
  readonly workloads: { readonly main: Workload; readonly small: Workload; readonly bigFile: Workload };
  readonly bulkRequests: { readonly main: number; readonly smallFull: number; readonly smallPerFile: number };
  /** The worker with `_count` polled every 200 ms from the first upload. */
  readonly polledWorker: Measurement;
  readonly paced: readonly Measurement[];
  readonly pace: number;
  readonly memory: Array<{ readonly label: string; readonly workload: string; readonly runs: Measurement[] }>;
  readonly imageBackfill: Measurement;
  readonly gcTraces: { readonly plain: Measurement; readonly image: Measurement };
  readonly scaling: ReadonlyArray<{
    readonly concurrency: number;
    readonly upperBound: Measurement[];
    readonly backfill: Measurement[];
    readonly backfillBulk: Measurement[];
  }>;
  readonly batching: { readonly full: readonly Measurement[]; readonly perFile: readonly Measurement[] };
  readonly profile: { readonly measurement: Measurement; readonly profile: ProfileSummary };
  readonly stack: {
    readonly versions: { readonly opensearch: string; readonly localstack: string };
    readonly javaOptions: string;
  };
  readonly settings: BulkSettings;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly minutes: number;
  /** When the run ended (UTC, `YYYY-MM-DD HH:MM`) and the commit measured: kept so a re-render says the same. */
  readonly measuredAt: string;
  readonly product: string;
  readonly imageNodeOptions: string;
  readonly resultsFile: string;
  readonly quiet: { readonly maxOtherCores: number; readonly maxAttempts: number };
}

const eps = (ms: readonly Measurement[]): number[] => ms.map(eventsPerSecond);
const us = (seconds: number, events: number): number => (seconds / events) * 1e6;
const mb = (kb: number): string => n(kb / 1024);
const medianOf = (ms: readonly Measurement[], f: (m: Measurement) => number): number => median(ms.map(f));

function ratios(products: readonly Measurement[], bounds: readonly Measurement[]): number[] {
  return products.map((m, i) => eventsPerSecond(m) / eventsPerSecond(bounds[i]!));
}

function formatRatios(values: readonly number[]): string {
  return `${n(median(values), 2)} ±${n(spreadPercent(values))} % (${values.map((v) => n(v, 2)).join(', ')})`;
}

function verdict(met: boolean): string {
  return met ? 'met' : '**missed**';
}

function git(args: readonly string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The transform figures as bench/transform.ts last wrote them (its section of RESULTS.md, read only). */
function transformFigures(): { eventsPerCpuSecond: number; microsPerEvent: number } | undefined {
  const path = join(ROOT, 'bench/RESULTS.md');
  if (!existsSync(path)) return undefined;
  const row = readFileSync(path, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('| full: read + parse + flatten + serialize |'));
  const cells = row?.split('|').map((cell) => cell.trim());
  if (!cells) return undefined;
  const micros = Number(cells[2]?.replace(/,/g, ''));
  const perSecond = Number(cells[3]?.replace(/,/g, ''));
  return Number.isFinite(micros) && Number.isFinite(perSecond)
    ? { eventsPerCpuSecond: perSecond, microsPerEvent: micros }
    : undefined;
}

function workloadRow(label: string, w: Workload): string {
  return (
    `| ${label} | \`${w.spec.name}\` | ${n(w.files.length)} | ${n(w.events)} | ${n(w.rawBytes / 2 ** 20)} | ` +
    `${n(w.bytes / 2 ** 20)} | ${n(w.distinctEventNames)} | ${w.spec.spanDays} days from ${w.spec.start.slice(0, 10)} |`
  );
}

function cpuRow(label: string, ms: readonly Measurement[]): string {
  const cells = [
    (m: Measurement) => us(m.seconds, m.events),
    (m: Measurement) => us(m.processCpu, m.events),
    (m: Measurement) => us(m.opensearchCpu, m.events),
    (m: Measurement) => us(m.localstackCpu, m.events),
  ].map((f) => n(medianOf(ms, f), 1));
  const cores = [
    (m: Measurement) => m.opensearchCpu / m.seconds,
    (m: Measurement) => otherCpu(m) / m.seconds,
  ].map((f) => n(medianOf(ms, f), 2));
  return `| ${label} | ${[...cells, ...cores].join(' | ')} |`;
}

function lagCell(ms: readonly Measurement[]): { p50: number; p99: number; reported: string } {
  const lags = ms.flatMap((m) => m.worker?.lagsSeconds ?? []);
  const reported = ms.flatMap((m) => m.worker?.reportedLagsSeconds ?? []);
  return {
    p50: percentile(lags, 50),
    p99: percentile(lags, 99),
    reported: `${n(percentile(reported, 50))} / ${n(percentile(reported, 99))} s`,
  };
}

function describeRun(label: string, m: Measurement): string {
  const rss = m.peakRssKb ? `, peak RSS ${mb(m.peakRssKb)} MB` : '';
  const attempts = (m.attempts ?? 1) > 1 ? ` (kept the quietest of ${m.attempts} runs)` : '';
  return (
    `- ${label}${attempts}: ${n(eventsPerSecond(m))} events/s (${n(m.seconds, 1)} s); CPU s: process ${n(m.processCpu, 1)}, ` +
    `OpenSearch ${n(m.opensearchCpu, 1)}, LocalStack ${n(m.localstackCpu, 1)}, other work ${n(otherCpu(m), 1)}${rss}`
  );
}

function gcParagraph(plain: Measurement, image: Measurement, options: string): string {
  const describeGc = (m: Measurement): string =>
    m.gc
      ? `live data after a full collection at most ${n(m.gc.maxLiveMb)} MB, heap up to ${n(m.gc.maxUsedMb)} MB used and ` +
        `${n(m.gc.maxCommittedMb)} MB reserved (${n(m.gc.scavenges)} scavenges, ${n(m.gc.markCompacts)} full collections), peak RSS ${mb(m.peakRssKb ?? 0)} MB, ` +
        `process CPU ${n(us(m.processCpu, m.events), 1)} µs/event`
      : 'no trace';
  return (
    `Where the memory goes (\`backfill\` of the 200 MB file, \`dist\`, under \`node --trace-gc\`): without V8 flags, ${describeGc(plain)}; ` +
    `with the image's \`${options}\`, ${describeGc(image)}.`
  );
}

/** The `ingest` section of RESULTS.md: context, one row per scenario, then the detail tables. */
/** The commit under test, and whether src/ had uncommitted changes, for IngestResults.product. */
export function productUnderTest(): string {
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src']) !== '' ? ' plus uncommitted changes in src/' : '';
  return `${commit}${dirty}`;
}

export function formatIngestReport(r: IngestResults): string {
  const up = r.rounds.map((x) => x.upperBound);
  const bf = r.rounds.map((x) => x.backfill);
  const wk = r.rounds.map((x) => x.worker);
  const bfRatios = ratios(bf, up);
  const wkRatios = ratios(wk, up);
  const dup = r.rounds.map((x) => x.dedicated.upperBound);
  const dbf = r.rounds.map((x) => x.dedicated.backfill);
  const dwk = r.rounds.map((x) => x.dedicated.worker);
  const dbfRatios = ratios(dbf, dup);
  const dwkRatios = ratios(dwk, dup);
  const transform = transformFigures();
  const burst = lagCell(wk);
  const paced = lagCell(r.paced);
  const main = r.workloads.main;
  const byLabel = (label: string) => r.memory.find((m) => m.label.startsWith(label))?.runs ?? [];
  const worst = (ms: readonly Measurement[]): number => Math.max(...ms.map((m) => m.peakRssKb ?? 0));
  const memSrc = byLabel('worker, `node src');
  const memDist = byLabel('worker, `node dist');
  const memImage = byLabel(`worker, \`node ${r.imageNodeOptions}`);
  const smallAt4 = r.scaling.find((s) => s.concurrency === 4)?.backfill ?? [];
  const clusterShare =
    medianOf(up, (m) => us(m.opensearchCpu, m.events)) /
    (medianOf(bf, (m) => us(m.opensearchCpu, m.events)) + medianOf(bf, (m) => us(m.processCpu, m.events)));
  const clusterWork =
    medianOf(up, (m) => us(m.opensearchCpu, m.events)) / medianOf(bf, (m) => us(m.opensearchCpu, m.events));
  const all = [
    ...up,
    ...bf,
    ...wk,
    ...r.paced,
    ...r.memory.flatMap((m) => m.runs),
    r.imageBackfill,
    ...r.scaling.flatMap((s) => [...s.upperBound, ...s.backfill, ...s.backfillBulk]),
    ...r.batching.full,
    ...r.batching.perFile,
  ];
  const repeated = all.filter((m) => (m.attempts ?? 1) > 1).length;
  const command = r.record
    ? '`npm run bench` (or `node bench/ingest.ts` for this section alone)'
    : '`BENCH_SIZE=small npm run bench`';

  return [
    '## ingest: upper bound, backfill, worker, memory, scaling (issue 9, scenarios 2–6)',
    '',
    `Reproduce: ${command}. Quick mode: \`BENCH_SIZE=small npm run bench\` (small workload, fewer runs; writes bench/workload/RESULTS.small.md, leaving this file alone). \`BENCH_RUNS\` sets the rounds.`,
    '',
    `Measured ${r.measuredAt} UTC in ${n(r.minutes)} min on ${cpus()[0]?.model ?? 'unknown CPU'} ` +
      `(${cpus().length} cores, ${n(totalmem() / 2 ** 30)} GB, Linux ${release()}), shared with other work (load average ${r.loadBefore.split(' ').slice(0, 3).join(' ')} before, ` +
      `${r.loadAfter.split(' ').slice(0, 3).join(' ')} after); Node ${process.version}; product at ${r.product}. ` +
      `OpenSearch ${r.stack.versions.opensearch} (single node, ${r.stack.javaOptions}, the product's index templates: 1 shard, 0 replicas) and ` +
      `LocalStack ${r.stack.versions.localstack}, both started by the benchmark on free ports with fresh data folders and stopped at the end. ` +
      `Product settings: defaults (BULK_MAX_BYTES ${n(r.settings.maxBytes)}, BULK_MAX_DOCUMENTS ${n(r.settings.maxDocuments)}, ` +
      `BULK_CONCURRENCY ${r.settings.concurrency}, FILES_IN_FLIGHT 4, backfill --concurrency 4). ${r.rounds.length} rounds after an untimed warm-up; each round runs ` +
      'the upper bound, the backfill and the worker back to back, and ratios are taken within a round. ' +
      'Figures are medians ± half the range in percent; "other work" is CPU the rest of the machine (other sessions) used meanwhile, in cores. ' +
      `A run during which other work kept more than ${r.quiet.maxOtherCores} cores busy was made again (at most ${r.quiet.maxAttempts} runs, the quietest kept): ` +
      `${repeated} of ${all.length} measurements needed that.`,
    '',
    '| workload | folder (bench/workload/) | files | events | MB | MB gzip | eventNames | event times |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    workloadRow('main', main),
    ...(main === r.workloads.small ? [] : [workloadRow('scaling, paced lag', r.workloads.small)]),
    workloadRow('memory', r.workloads.bigFile),
    '',
    '### One row per scenario',
    '',
    '| # | scenario | result | ratio to 2 (same round) | target | |',
    '|---|---|---|---|---|---|',
    transform
      ? `| 1 | transform only: read + parse + flatten + serialize, one core (\`bench:transform\`, section above) | ${n(transform.eventsPerCpuSecond)} events per CPU second (${n(transform.microsPerEvent, 2)} µs/event) | — | ≥ 50,000 events/s | ${verdict(transform.eventsPerCpuSecond >= 50_000)} |`
      : '| 1 | transform only | see the transform section | — | ≥ 50,000 events/s | |',
    `| 2 | upper bound: the same documents as ${n(r.bulkRequests.main)} pre-serialized bulk bodies, ${r.settings.concurrency} in flight | ${formatRuns(eps(up))} events/s (${n(
      medianOf(up, (m) => us(m.opensearchCpu, m.events)),
      1,
    )} µs of OpenSearch CPU per event) | 1 | — | |`,
    `| 3 | backfill --local, whole process | ${formatRuns(eps(bf))} events/s sharing the 2 cores with OpenSearch; ${formatRuns(eps(dbf))} with the cluster on a core of its own | shared: ${formatRatios(bfRatios)}; dedicated cluster core: ${formatRatios(dbfRatios)} | ≥ 0.9 | shared: ${verdict(median(bfRatios) >= 0.9)}; dedicated: ${verdict(median(dbfRatios) >= 0.9)} |`,
    `| 4 | worker end to end: first upload to last document searchable | ${formatRuns(eps(wk))} events/s shared; ${formatRuns(eps(dwk))} dedicated; lag p50 / p99: ${n(burst.p50, 1)} / ${n(burst.p99, 1)} s for a burst of ${n(main.files.length)} files, ${n(paced.p50, 1)} / ${n(paced.p99, 1)} s paced at ${n(r.pace)} events/s | shared: ${formatRatios(wkRatios)}; dedicated cluster core: ${formatRatios(dwkRatios)} | ≥ 0.9 | shared: ${verdict(median(wkRatios) >= 0.9)}; dedicated: ${verdict(median(dwkRatios) >= 0.9)} |`,
    `| 5 | memory: peak RSS of the worker on the 200 MB file (worst of ${memSrc.length}) | the image (\`dist\`, ${r.imageNodeOptions}) ${mb(worst(memImage))} MB; without V8 flags: \`dist\` ${mb(worst(memDist))} MB, \`src\` ${mb(worst(memSrc))} MB; backfill ${mb(worst(bf))} MB on ${n(main.events)} events vs ${mb(worst(smallAt4))} MB on ${n(r.workloads.small.events)} without V8 flags, ${mb(r.imageBackfill.peakRssKb ?? 0)} MB on ${n(main.events)} with the image's | — | ≤ 256 MB; flat | the image: ${verdict(worst(memImage) <= 256 * 1024)}; without flags: ${verdict(worst(memDist) <= 256 * 1024)}; flat: ${verdict(worst(bf) <= worst(smallAt4) * 1.15)} |`,
    `| 6 | scaling: backfill --concurrency 1, 2, 4, 8 (small workload) | ${r.scaling.map((s) => `${s.concurrency}: ${n(median(eps(s.backfill)))}`).join(', ')} events/s; upper bound with as many requests in flight: ${r.scaling.map((s) => `${s.concurrency}: ${n(median(eps(s.upperBound)))}`).join(', ')} | see below | shows the cluster limit | |`,
    '',
    '### Where the CPU goes, per event (medians)',
    '',
    'Wall µs/event is 1 / throughput. On this machine OpenSearch, LocalStack and the product share the same two cores, so every µs the product spends is a µs the cluster cannot. ' +
      '"Dedicated cluster core": OpenSearch pinned (taskset) to one core, the benchmark, the CLI under test and LocalStack to the other, the nearest this machine comes to the product and the cluster on separate machines (other sessions still use both cores).',
    '',
    '| run | wall µs/event | product process CPU µs/event | OpenSearch CPU µs/event | LocalStack CPU µs/event | OpenSearch cores busy | other work (cores) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    cpuRow('2 upper bound (the poster)', up),
    cpuRow('3 backfill', bf),
    cpuRow('4 worker (burst)', wk),
    cpuRow('4 worker (paced uploads)', r.paced),
    cpuRow('4 worker, `_count` polled every 200 ms while indexing', [r.polledWorker]),
    cpuRow('2 upper bound, dedicated cluster core', dup),
    cpuRow('3 backfill, dedicated cluster core', dbf),
    cpuRow('4 worker, dedicated cluster core', dwk),
    cpuRow(`3 backfill, \`dist\` with ${r.imageNodeOptions}`, [r.imageBackfill]),
    '',
    `OpenSearch spends ${n(clusterWork * 100)} % as much CPU per event in the upper bound as in the backfill (the product makes the cluster do the same work); ` +
      `if the cluster's cores were the only limit and the backfill's own CPU came out of them, the backfill would reach ${n(clusterShare, 2)} of the upper bound.`,
    '',
    '### Ingestion lag (scenario 4)',
    '',
    'From the S3 PUT completing (the notification\'s event time) to the worker\'s "log file indexed" line for that file, every file of every run.',
    '',
    "| uploads | files | p50 | p99 | the worker's own `lagSeconds` p50 / p99 |",
    '|---|---:|---:|---:|---:|',
    `| burst: all ${n(main.files.length)} files as fast as 4 uploaders go | ${n(wk.reduce((s, m) => s + (m.worker?.lagsSeconds.length ?? 0), 0))} | ${n(burst.p50, 1)} s | ${n(burst.p99, 1)} s | ${burst.reported} |`,
    `| paced at ${n(r.pace)} events/s (half the upper bound), ${n(r.workloads.small.files.length)} files | ${n(r.paced.reduce((s, m) => s + (m.worker?.lagsSeconds.length ?? 0), 0))} | ${n(paced.p50, 1)} s | ${n(paced.p99, 1)} s | ${paced.reported} |`,
    '',
    '### Memory (scenario 5)',
    '',
    'Peak RSS from the kernel (VmHWM of the worker; GNU time for the backfill). "Idle" is the worker after start-up, before the first upload.',
    '',
    '| process | workload | peak RSS, each run (MB) | worst | idle | events/s | process CPU µs/event |',
    '|---|---|---|---:|---:|---:|---:|',
    ...r.memory.map(
      (m) =>
        `| ${m.label} | ${m.workload} | ${m.runs.map((x) => mb(x.peakRssKb ?? 0)).join(', ')} | **${mb(worst(m.runs))}** | ${mb(median(m.runs.map((x) => x.worker?.idleRssKb ?? 0)))} | ${n(median(eps(m.runs)))} | ${n(
          medianOf(m.runs, (x) => us(x.processCpu, x.events)),
          1,
        )} |`,
    ),
    `| worker, \`src\`, end to end | ${main.spec.name} | ${wk.map((x) => mb(x.peakRssKb ?? 0)).join(', ')} | **${mb(worst(wk))}** | ${mb(median(wk.map((x) => x.worker?.idleRssKb ?? 0)))} | ${n(median(eps(wk)))} | ${n(
      medianOf(wk, (x) => us(x.processCpu, x.events)),
      1,
    )} |`,
    `| backfill --concurrency 4, \`src\` (the rounds) | ${main.spec.name} | ${bf.map((x) => mb(x.peakRssKb ?? 0)).join(', ')} | **${mb(worst(bf))}** | | ${n(median(eps(bf)))} | ${n(
      medianOf(bf, (x) => us(x.processCpu, x.events)),
      1,
    )} |`,
    `| backfill --concurrency 4, \`src\` (scaling) | ${r.workloads.small.spec.name} | ${smallAt4.map((x) => mb(x.peakRssKb ?? 0)).join(', ')} | **${mb(worst(smallAt4))}** | | ${n(median(eps(smallAt4)))} | ${n(
      medianOf(smallAt4, (x) => us(x.processCpu, x.events)),
      1,
    )} |`,
    `| backfill --concurrency 4, \`dist\`, ${r.imageNodeOptions} | ${main.spec.name} | ${mb(r.imageBackfill.peakRssKb ?? 0)} | **${mb(r.imageBackfill.peakRssKb ?? 0)}** | | ${n(eventsPerSecond(r.imageBackfill))} | ${n(us(r.imageBackfill.processCpu, r.imageBackfill.events), 1)} |`,
    '',
    gcParagraph(r.gcTraces.plain, r.gcTraces.image, r.imageNodeOptions),
    '',
    '### Scaling (scenario 6, small workload)',
    '',
    '`--concurrency` is files in flight; the bulk requests in flight are bounded process-wide by BULK_CONCURRENCY (default 2), so the last two columns raise both together. The upper bound keeps N requests in flight. "OpenSearch cores" is its CPU seconds per wall second during the upper bound: the cluster is the bottleneck where it stops growing.',
    '',
    '| N | upper bound, N in flight | OpenSearch cores | backfill --concurrency N | ratio | backfill --concurrency N, BULK_CONCURRENCY=N | ratio | peak RSS (MB) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.scaling.map((s) => {
      const u = median(eps(s.upperBound));
      return (
        `| ${s.concurrency} | ${formatRuns(eps(s.upperBound))} | ${n(
          medianOf(s.upperBound, (m) => m.opensearchCpu / m.seconds),
          2,
        )} | ` +
        `${formatRuns(eps(s.backfill))} | ${n(median(eps(s.backfill)) / u, 2)} | ${formatRuns(eps(s.backfillBulk))} | ` +
        `${n(median(eps(s.backfillBulk)) / u, 2)} | ${mb(worst(s.backfill))} / ${mb(worst(s.backfillBulk))} |`
      );
    }),
    '',
    `Request size, same documents, ${r.settings.concurrency} in flight: full requests (${n(r.bulkRequests.smallFull)}, the upper bound) ${formatRuns(eps(r.batching.full))} events/s, ` +
      `requests ending with each file as the product cuts them (${n(r.bulkRequests.smallPerFile)}) ${formatRuns(eps(r.batching.perFile))} events/s ` +
      `(OpenSearch CPU ${n(
        medianOf(r.batching.full, (m) => us(m.opensearchCpu, m.events)),
        1,
      )} vs ${n(
        medianOf(r.batching.perFile, (m) => us(m.opensearchCpu, m.events)),
        1,
      )} µs/event).`,
    '',
    `### Profile: one backfill of the small workload under \`node --cpu-prof\` (${n(eventsPerSecond(r.profile.measurement))} events/s, self time)`,
    '',
    formatProfile(r.profile.profile, 12),
    '',
    '<details><summary>Every run</summary>',
    '',
    ...r.rounds.flatMap((x, i) => [
      describeRun(`round ${i + 1}, upper bound`, x.upperBound),
      describeRun(`round ${i + 1}, backfill`, x.backfill),
      describeRun(`round ${i + 1}, worker (upload ${n(x.worker.worker?.uploadSeconds ?? 0, 1)} s)`, x.worker),
      describeRun(`round ${i + 1}, upper bound, dedicated cluster core`, x.dedicated.upperBound),
      describeRun(`round ${i + 1}, backfill, dedicated cluster core`, x.dedicated.backfill),
      describeRun(
        `round ${i + 1}, worker, dedicated cluster core (upload ${n(x.dedicated.worker.worker?.uploadSeconds ?? 0, 1)} s)`,
        x.dedicated.worker,
      ),
    ]),
    describeRun('worker, `_count` polled every 200 ms while indexing', r.polledWorker),
    ...r.paced.map((m, i) => describeRun(`paced worker ${i + 1}`, m)),
    ...r.memory.flatMap((m) => m.runs.map((x, i) => describeRun(`${m.label} ${i + 1}`, x))),
    describeRun("backfill, dist, the image's Node flags", r.imageBackfill),
    describeRun('backfill of the 200 MB file, dist, --trace-gc', r.gcTraces.plain),
    describeRun("backfill of the 200 MB file, dist, the image's Node flags, --trace-gc", r.gcTraces.image),
    ...r.scaling.flatMap((s) => [
      ...s.upperBound.map((m, i) => describeRun(`scaling ${s.concurrency}, upper bound ${i + 1}`, m)),
      ...s.backfill.map((m, i) => describeRun(`scaling ${s.concurrency}, backfill ${i + 1}`, m)),
      ...s.backfillBulk.map((m, i) =>
        describeRun(`scaling ${s.concurrency}, backfill with bulk ${i + 1}`, m),
      ),
    ]),
    '',
    '</details>',
  ].join('\n');
}
