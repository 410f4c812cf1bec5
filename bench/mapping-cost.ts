/**
 * Cluster cost per event (issue 19, part 1): what each field family and index setting costs
 * OpenSearch in CPU and disk per event, against the seed's mapping on the same events, and which of
 * the documented searches each one keeps answering.
 *
 *   node bench/mapping-cost.ts                          # record mode: 3 rounds of every variant, writes bench/RESULTS.md
 *   BENCH_SIZE=small node bench/mapping-cost.ts         # 1 round, writes bench/workload/RESULTS.small.md
 *   node bench/mapping-cost.ts --variants seed,ours     # only these (BENCH_RUNS rounds), printed, no file written
 *   node bench/mapping-cost.ts --report-only            # the section again from the last run's raw figures
 *   node bench/mapping-cost.ts --variants seed,ours --files 4   # a quick check of the harness
 *   (--write: write the section even for a subset of variants or files)
 *
 * Each run: a fresh index (the variant's template, or the seed's index body), the 100k-event workload
 * posted as pre-built `_bulk` bodies (2 in flight, as the upper bound does, so only the cluster's work
 * differs), then a refresh and the wait for merges to end; OpenSearch's CPU is counted over all of it.
 * Then a force-merge to one segment, and the store size, per Lucene file type. Rounds alternate the order
 * of the variants, and ratios to the seed are taken within a round.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: OpenSearch's JSON answers, read field by field where used
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startOpenSearch } from '../scripts/stack/opensearch-process.ts';
import { runDir } from '../scripts/stack/paths.ts';
import { freePort, stopProcessGroup } from '../scripts/stack/processes.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../src/pipeline/transform-log-file.ts';
import {
  documentedSearches,
  runDocumentedSearches,
  type SearchAnswer,
  SearchValuePicker,
  type SearchValues,
} from '../test/helpers/documented-searches.ts';
import { acceptedCount, deleteIndexes } from './bench-stack.ts';
import { startCpuMeter } from './cpu-accounting.ts';
import { ensureWorkload, WORKLOAD_ROOT, WORKLOADS } from './generate-workload.ts';
import { formatMappingCostReport, type MappingCostResults, type VariantRun } from './mapping-cost-report.ts';
import { MAPPING_VARIANTS, type MappingVariant } from './mapping-variants.ts';
import { writeSection } from './results-section.ts';
import { buildSeedBulkBodies } from './seed-baseline.ts';
import { type BulkBodies, buildBulkBodies, productBulkSettings } from './upper-bound.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RECORD = (process.env.BENCH_SIZE ?? 'record') !== 'small';
const ROUNDS = Number(process.env.BENCH_RUNS ?? (RECORD ? 3 : 1));
const PREFIX = 'mc';
const RESULTS = RECORD ? join(ROOT, 'bench/RESULTS.md') : join(WORKLOAD_ROOT, 'RESULTS.small.md');
const RAW_RESULTS = join(
  WORKLOAD_ROOT,
  RECORD ? 'mapping-cost-results.json' : 'mapping-cost-results.small.json',
);

function log(line: string): void {
  process.stderr.write(`[mapping-cost ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function must(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const answer = await call(url, method, path, body);
  if (answer.status >= 300)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export interface PostOutcome {
  /** Documents the cluster refused (mapping conflicts under the seed's dynamic mapping), with the first reasons. */
  readonly refused: number;
  readonly reasons: readonly string[];
}

/**
 * Posts the bodies, `concurrency` in flight. A response whose head says `"errors":false` is not
 * parsed; one with errors is, to count and name the refused documents.
 */
async function post(
  url: string,
  bodies: readonly Buffer[],
  concurrency: number,
  gzip: boolean,
): Promise<PostOutcome> {
  const target = new URL('/_bulk', url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let refused = 0;
  const reasons = new Set<string>();
  const one = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        'content-type': 'application/x-ndjson',
        'content-length': body.length,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      };
      const req = request(target, { method: 'POST', agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200)
            return reject(new Error(`bulk request failed: ${response.statusCode} ${text.slice(0, 500)}`));
          if (/"errors"\s*:\s*false/.test(text.slice(0, 256))) return resolve();
          const items = (
            JSON.parse(text) as {
              items: Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>>;
            }
          ).items;
          for (const item of items) {
            const result = Object.values(item)[0];
            if (!result?.error) continue;
            refused++;
            if (reasons.size < 5) reasons.add(`${result.error.type}: ${result.error.reason?.slice(0, 200)}`);
          }
          resolve();
        });
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await one(bodies[next++]!);
    }),
  );
  agent.destroy();
  return { refused, reasons: [...reasons] };
}

async function waitForMerges(url: string, pattern: string): Promise<void> {
  for (;;) {
    const stats = await must(url, 'GET', `/${pattern}/_stats/merge`);
    if ((stats._all?.total?.merges?.current ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The store once the force-merge's result is all that is on disk. The merge answers before the
 * segments it replaced are gone: their files stay while a reader still holds them, until the next
 * refresh, so the store size read at once counted both (ours measured 896, 604 and 604 B/event in
 * three rounds of one run). A refresh releases them; then the store is read until each shard is one
 * segment and two reads agree.
 */
async function settledStore(url: string, pattern: string): Promise<any> {
  const MAX_READS = 100;
  await must(url, 'POST', `/${pattern}/_refresh`);
  let previous: number | undefined;
  for (let read = 1; ; read++) {
    const stats = await must(url, 'GET', `/${pattern}/_stats/store,segments?include_segment_file_sizes=true`);
    const primaries = stats._all.primaries;
    // One segment per shard: the merge's result only (a single node, so no replica is assigned).
    const merged = primaries.segments.count === stats._shards.successful;
    const size = merged ? (primaries.store.size_in_bytes as number) : undefined;
    if (size !== undefined && size === previous) return stats;
    if (read === MAX_READS) {
      log(`store of ${pattern} still changing after ${MAX_READS} reads; taken as it is`);
      return stats;
    }
    previous = size;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Leaf fields of the largest index mapping (multi-fields counted, as `total_fields.limit` does). */
function fieldCount(mappings: Record<string, { mappings: { properties?: Record<string, any> } }>): number {
  const count = (properties: Record<string, any> | undefined): number =>
    Object.values(properties ?? {}).reduce(
      (sum: number, field: any) => sum + 1 + count(field.properties) + Object.keys(field.fields ?? {}).length,
      0,
    );
  return Math.max(...Object.values(mappings).map((index) => count(index.mappings.properties)));
}

async function prepare(url: string, variant: MappingVariant, indexes: readonly string[]): Promise<void> {
  await deleteIndexes(url, `${PREFIX}-*`);
  await call(url, 'DELETE', `/_index_template/${PREFIX}-events`);
  const setup = variant.setup(PREFIX);
  if (setup.kind === 'template') await must(url, 'PUT', `/_index_template/${PREFIX}-events`, setup.body);
  for (const index of indexes)
    await must(url, 'PUT', `/${index}`, setup.kind === 'index-body' ? setup.body : {});
  // Deleting the previous run's indexes frees segments in the background; give the node a moment.
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

async function measure(
  url: string,
  opensearchGroup: number,
  variant: MappingVariant,
  bodies: BulkBodies,
  searches: ReturnType<typeof documentedSearches> | undefined,
): Promise<VariantRun> {
  await prepare(url, variant, bodies.indexes);
  const pattern = `${PREFIX}-*`;
  const meter = startCpuMeter({ opensearch: opensearchGroup, localstack: -1 });
  const started = process.hrtime.bigint();
  let searching = variant.searchedWhileIndexing === true;
  const searcher = (async () => {
    while (searching) {
      await call(url, 'GET', `/${pattern}/_count`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const posted = await post(url, bodies.bodies, 2, variant.gzip === true);
  searching = false;
  await searcher;
  await must(url, 'POST', `/${pattern}/_refresh`);
  await waitForMerges(url, pattern);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const spent = meter();
  const count = await acceptedCount(url, pattern);
  if (count !== bodies.documents - posted.refused)
    throw new Error(`${variant.name}: ${count} documents, expected ${bodies.documents - posted.refused}`);
  const fields = fieldCount(await must(url, 'GET', `/${pattern}/_mapping`));
  const answers: SearchAnswer[] | undefined = searches
    ? await runDocumentedSearches(url, pattern, searches)
    : undefined;
  const mergeMeter = startCpuMeter({ opensearch: opensearchGroup, localstack: -1 });
  await must(url, 'POST', `/${pattern}/_forcemerge?max_num_segments=1`);
  const mergeCpu = mergeMeter().opensearch;
  const stats = await settledStore(url, pattern);
  const fileSizes: Record<string, number> = {};
  for (const [extension, entry] of Object.entries(
    (stats._all.primaries.segments.file_sizes ?? {}) as Record<string, { size_in_bytes: number }>,
  ))
    fileSizes[extension] = entry.size_in_bytes;
  return {
    variant: variant.name,
    events: bodies.documents,
    refused: posted.refused,
    refusedReasons: posted.reasons,
    seconds,
    opensearchCpu: spent.opensearch,
    machineCpu: spent.machine,
    forceMergeCpu: mergeCpu,
    storeBytes: stats._all.primaries.store.size_in_bytes as number,
    fileSizes,
    fields,
    ...(answers ? { answers } : {}),
  };
}

/** Search values from our documents (the seed's are the same events, so the values are there too). */
function searchValuesOf(bodies: BulkBodies): SearchValues {
  const picker = new SearchValuePicker();
  for (const body of bodies.bodies) {
    const lines = body.toString('utf8').split('\n');
    for (let i = 1; i < lines.length && !picker.complete(); i += 2) if (lines[i]) picker.add(lines[i]!);
    if (picker.complete()) break;
  }
  return picker.values();
}

async function codecAvailable(url: string, codec: string): Promise<boolean> {
  const probe = `${PREFIX}-codec-probe`;
  const answer = await call(url, 'PUT', `/${probe}`, { settings: { 'index.codec': codec } });
  await call(url, 'DELETE', `/${probe}`);
  if (answer.status >= 300)
    log(`index.codec ${codec} is not available here: ${JSON.stringify(answer.body?.error?.reason)}`);
  return answer.status < 300;
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    const input = JSON.parse(readFileSync(RAW_RESULTS, 'utf8')) as MappingCostResults;
    writeSection(input.resultsFile, 'mapping-cost', formatMappingCostReport(input));
    log(`results of ${RAW_RESULTS} written to ${input.resultsFile}`);
    return;
  }
  const option = (name: string): string | undefined => process.argv[process.argv.indexOf(name) + 1];
  const only = process.argv.includes('--variants') ? option('--variants')?.split(',') : undefined;
  // `--files N`: the first N files only, for a quick check of the harness itself.
  const fileLimit = process.argv.includes('--files') ? Number(option('--files')) : undefined;
  const started = Date.now();
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const full = await ensureWorkload(WORKLOADS.small, log);
  const files = full.files.slice(0, fileLimit);
  const workload = { ...full, files, events: files.reduce((sum, file) => sum + file.events, 0) };
  const settings = productBulkSettings({});
  log(
    'building the bulk bodies: ours (the product transform, by kind and in file order) and the seed transform',
  );
  const ours = await buildBulkBodies(workload, settings, {
    ...DEFAULT_TRANSFORM_OPTIONS,
    indexPrefix: PREFIX,
  });
  const oursInFileOrder = await buildBulkBodies(
    workload,
    settings,
    { ...DEFAULT_TRANSFORM_OPTIONS, indexPrefix: PREFIX },
    'full',
    'file',
  );
  const seed = await buildSeedBulkBodies(workload, settings, PREFIX);
  const gzipStarted = process.hrtime.bigint();
  const oursGzip = { ...ours, bodies: ours.bodies.map((body) => gzipSync(body, { level: 1 })) };
  const gzipSeconds = Number(process.hrtime.bigint() - gzipStarted) / 1e9;
  const values = searchValuesOf(ours);
  const searches = documentedSearches(values);

  const javaOptions = process.env.OPENSEARCH_JAVA_OPTS ?? '-Xms512m -Xmx512m';
  const dataDir = join(runDir, `mapping-cost-${process.pid}`);
  mkdirSync(dataDir, { recursive: true });
  const node = await startOpenSearch({ port: await freePort(), dataDir, javaOpts: javaOptions });
  const stop = async (): Promise<void> => {
    await stopProcessGroup(node.pid);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  log(`OpenSearch ${node.version} at ${node.url} (${javaOptions})`);
  try {
    const url = node.url;
    const available = await Promise.all(
      MAPPING_VARIANTS.map(async (variant) => {
        const codec = /^codec-(.*)$/.exec(variant.name)?.[1]?.replaceAll('-', '_');
        return codec ? codecAvailable(url, codec) : true;
      }),
    );
    const variants = MAPPING_VARIANTS.filter((v, i) => available[i] && (!only || only.includes(v.name)));
    const unavailable = MAPPING_VARIANTS.filter((_, i) => !available[i]).map((v) => v.name);
    const bodiesOf = (variant: MappingVariant): BulkBodies =>
      variant.documents === 'seed'
        ? seed
        : variant.documents === 'ours-file-order'
          ? oursInFileOrder
          : variant.gzip
            ? oursGzip
            : ours;

    log('warm-up: ours twice, untimed (a fresh JVM indexes slowly until its JIT has warmed up)');
    for (const name of ['ours', 'ours']) {
      const variant = MAPPING_VARIANTS.find((v) => v.name === name)!;
      const run = await measure(url, node.pid, variant, bodiesOf(variant), undefined);
      if (run.refused)
        log(`warm-up ${name}: ${run.refused} documents refused: ${run.refusedReasons.join(' | ')}`);
    }
    const resultsSoFar = (): MappingCostResults => ({
      record: RECORD,
      command: ['node bench/mapping-cost.ts', ...process.argv.slice(2)].join(' '),
      resultsFile: RESULTS,
      measuredAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
      minutes: (Date.now() - started) / 60_000,
      loadBefore,
      loadAfter: readFileSync('/proc/loadavg', 'utf8').trim(),
      opensearch: node.version,
      javaOptions,
      product: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
      workload: { name: workload.spec.name, files: workload.files.length, events: workload.events },
      requests: { ours: ours.bodies.length, seed: seed.bodies.length },
      requestBytes: {
        ours: ours.bytes,
        oursGzip: oursGzip.bodies.reduce((s, b) => s + b.length, 0),
        seed: seed.bytes,
      },
      gzipMicrosPerEvent: (gzipSeconds / ours.documents) * 1e6,
      searchValues: values,
      variants: variants.map((v) => ({ name: v.name, family: v.family })),
      unavailable,
      rounds,
    });
    const rounds: VariantRun[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? variants : [...variants].reverse();
      const runs: VariantRun[] = [];
      for (const variant of order) {
        const run = await measure(
          url,
          node.pid,
          variant,
          bodiesOf(variant),
          round === 1 ? searches : undefined,
        );
        runs.push(run);
        const failed = run.answers
          ?.filter((a) => a.status !== 200 || a.error || a.found === 0)
          .map((a) => a.name);
        log(
          `round ${round} ${variant.name}: OpenSearch ${((run.opensearchCpu / run.events) * 1e6).toFixed(1)} µs/event, ` +
            `${Math.round(run.storeBytes / run.events)} B/event, ${run.fields} fields, ${run.seconds.toFixed(1)} s` +
            (failed?.length ? `; not answered: ${failed.join(', ')}` : '') +
            (run.refused ? `; ${run.refused} documents refused: ${run.refusedReasons.join(' | ')}` : ''),
        );
      }
      rounds.push(runs);
      // The raw figures after every round: `--report-only` can format an interrupted run.
      mkdirSync(WORKLOAD_ROOT, { recursive: true });
      writeFileSync(RAW_RESULTS, JSON.stringify(resultsSoFar()));
    }
    const results = resultsSoFar();
    mkdirSync(WORKLOAD_ROOT, { recursive: true });
    if ((only || fileLimit) && !process.argv.includes('--write')) {
      process.stdout.write(`${formatMappingCostReport(results)}\n`);
    } else {
      writeFileSync(RAW_RESULTS, JSON.stringify(results));
      writeSection(RESULTS, 'mapping-cost', formatMappingCostReport(results));
      log(`results written to ${RESULTS} (${results.minutes.toFixed(1)} min)`);
    }
  } finally {
    await stop();
  }
}

await main();
