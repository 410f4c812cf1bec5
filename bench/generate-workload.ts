/**
 * Deterministic workloads for the benchmarks: CloudTrail-named `.json.gz` log files derived from the
 * real events of test/fixtures/corpus (fresh eventIDs, event times spread over a span), laid out as
 * `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME.json.gz` under bench/workload/<name>/ (git-ignored),
 * so the same tree is a `backfill --local` folder and, key for key, the objects uploaded to S3.
 *
 *   node bench/generate-workload.ts small|large|big-file    # generate (or reuse) one workload
 *
 * The same spec and seed give the same files; a manifest (bench/workload/<name>.manifest.json) records
 * what was generated, and a matching manifest means the files are reused instead of written again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { corpusTemplates, type EventTemplate, fillTemplate } from './corpus-templates.ts';
import { SeededRandom } from './seeded-random.ts';

/** Bumped whenever the generator's output for a given spec changes. */
const GENERATOR_VERSION = 2;
const GZIP_LEVEL = constants.Z_DEFAULT_COMPRESSION;

export const WORKLOAD_ROOT: string = fileURLToPath(new URL('./workload/', import.meta.url));

export interface WorkloadSpec {
  /** Folder under bench/workload/. */
  readonly name: string;
  readonly seed: string;
  /** Total events, or, with `singleFileBytes`, ignored. */
  readonly events: number;
  /** One file of at least this many uncompressed bytes instead of many files. */
  readonly singleFileBytes?: number;
  /** Events per file, drawn log-uniformly in this range (CloudTrail delivers every ~5 minutes per account and region). */
  readonly eventsPerFile: { readonly min: number; readonly max: number };
  /** First moment of the span, ISO 8601 (UTC). */
  readonly start: string;
  /** Event times are spread over this many days from `start`. */
  readonly spanDays: number;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}

const BASE = {
  eventsPerFile: { min: 100, max: 5000 },
  start: '2024-05-20T00:00:00Z',
  spanDays: Number(process.env.BENCH_SPAN_DAYS ?? 30),
  accounts: ['123456789012', '210987654321', '555555555555'],
  regions: ['us-east-1', 'eu-west-1'],
} as const;

export const WORKLOADS = {
  small: { ...BASE, name: 'ingest-small', seed: 'cloudtrail-indexer bench small', events: 100_000 },
  large: { ...BASE, name: 'ingest-large', seed: 'cloudtrail-indexer bench large', events: 1_000_000 },
  'big-file': {
    ...BASE,
    name: 'ingest-big-file',
    seed: 'cloudtrail-indexer bench big file',
    events: 0,
    singleFileBytes: 200 * 1024 * 1024,
    spanDays: 1,
  },
} as const satisfies Record<string, WorkloadSpec>;
export type WorkloadName = keyof typeof WORKLOADS;

export interface WorkloadFile {
  /** The S3 key, and the path under the workload folder. */
  readonly key: string;
  readonly events: number;
  /** Uncompressed bytes. */
  readonly rawBytes: number;
  /** Bytes on disk (gzip). */
  readonly bytes: number;
  /** Where the file is when it is not under its workload's folder (a mix of two workloads). */
  readonly path?: string;
}

export interface Workload {
  readonly spec: WorkloadSpec;
  readonly version: number;
  /** Absolute folder holding the `AWSLogs/` tree. */
  readonly dir: string;
  readonly files: readonly WorkloadFile[];
  readonly events: number;
  readonly rawBytes: number;
  readonly bytes: number;
  readonly distinctEventNames: number;
  readonly corpusEvents: number;
}

const MINUTE = 60_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2024-05-31T12:34:56Z`, CloudTrail's own eventTime format. */
function eventTimeText(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function fileKey(account: string, region: string, deliveredMs: number, suffix: string): string {
  const d = new Date(deliveredMs);
  const [y, m, day] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())];
  const stamp = `${y}${m}${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${day}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

/** Files' event counts: log-uniform within the spec's range, the last one taking the remainder. */
function fileSizes(spec: WorkloadSpec, random: SeededRandom): number[] {
  const sizes: number[] = [];
  const { min, max } = spec.eventsPerFile;
  let left = spec.events;
  while (left > 0) {
    const size = Math.round(Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min))));
    sizes.push(Math.min(size, left));
    left -= Math.min(size, left);
  }
  return sizes;
}

/**
 * The events of one file: corpus events picked uniformly (so the mix of eventNames and sizes is the
 * corpus's), each with a fresh eventID and a time within the file's window, in time order.
 */
function fileRecords(
  templates: readonly EventTemplate[],
  count: number,
  windowStartMs: number,
  windowMs: number,
  account: string,
  random: SeededRandom,
  names: Set<string>,
): string[] {
  const times = Array.from({ length: count }, () => windowStartMs + Math.floor(random.next() * windowMs));
  times.sort((a, b) => a - b);
  return times.map((time) => {
    const template = templates[random.below(templates.length)]!;
    names.add(template.eventName);
    return fillTemplate(template, { id: random.uuid(), time: eventTimeText(time), account });
  });
}

function writeFileUnder(dir: string, key: string, bytes: Buffer): void {
  const path = join(dir, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** Beside the folder, not in it: `backfill --local` reads every .json file under the folder. */
function manifestPath(dir: string): string {
  return `${dir}.manifest.json`;
}

function readManifest(spec: WorkloadSpec, dir: string): Workload | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Workload;
    if (manifest.version !== GENERATOR_VERSION || JSON.stringify(manifest.spec) !== JSON.stringify(spec))
      return undefined;
    for (const file of manifest.files) {
      const path = join(dir, file.key);
      if (!existsSync(path) || statSync(path).size !== file.bytes) return undefined;
    }
    return { ...manifest, dir };
  } catch {
    return undefined;
  }
}

/** Generates the workload, or reuses the files of an earlier run with the same spec and version. */
export async function ensureWorkload(
  spec: WorkloadSpec,
  log: (line: string) => void = () => undefined,
  root: string = WORKLOAD_ROOT,
): Promise<Workload> {
  const dir = join(root, spec.name);
  const existing = readManifest(spec, dir);
  if (existing) return existing;
  log(`generating workload ${spec.name} in ${dir} ...`);
  const started = Date.now();
  rmSync(manifestPath(dir), { force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const templates = corpusTemplates();
  const random = new SeededRandom(spec.seed);
  const names = new Set<string>();
  const files =
    spec.singleFileBytes !== undefined
      ? [await writeSingleFile(spec, dir, templates, random, names)]
      : writeManyFiles(spec, dir, templates, random, names);
  const workload: Workload = {
    spec,
    version: GENERATOR_VERSION,
    dir,
    files,
    events: files.reduce((sum, file) => sum + file.events, 0),
    rawBytes: files.reduce((sum, file) => sum + file.rawBytes, 0),
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    distinctEventNames: names.size,
    corpusEvents: templates.length,
  };
  writeFileSync(manifestPath(dir), `${JSON.stringify(workload, null, 1)}\n`);
  log(
    `generated ${workload.files.length} files, ${workload.events} events, ` +
      `${(workload.rawBytes / 2 ** 20).toFixed(0)} MB (${(workload.bytes / 2 ** 20).toFixed(0)} MB gzip) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return workload;
}

/**
 * Many files: the span is cut into consecutive windows, one per file, and the files take turns
 * among the accounts and regions, as one trail of several accounts and regions would deliver them.
 */
function writeManyFiles(
  spec: WorkloadSpec,
  dir: string,
  templates: readonly EventTemplate[],
  random: SeededRandom,
  names: Set<string>,
): WorkloadFile[] {
  const sizes = fileSizes(spec, random);
  const startMs = Date.parse(spec.start);
  const windowMs = (spec.spanDays * 24 * 60 * MINUTE) / sizes.length;
  const streams = spec.accounts.flatMap((account) => spec.regions.map((region) => ({ account, region })));
  return sizes.map((count, i) => {
    const { account, region } = streams[i % streams.length]!;
    const windowStart = startMs + i * windowMs;
    const records = fileRecords(templates, count, windowStart, windowMs, account, random, names);
    // Delivered a few minutes after the window's last event, as CloudTrail does.
    const key = fileKey(account, region, windowStart + windowMs + 5 * MINUTE, random.alphanumeric(16));
    const raw = Buffer.from(`{"Records":[${records.join(',')}]}`);
    const gzipped = gzipSync(raw, { level: GZIP_LEVEL });
    writeFileUnder(dir, key, gzipped);
    return { key, events: count, rawBytes: raw.length, bytes: gzipped.length };
  });
}

/** One file of at least `singleFileBytes` uncompressed, streamed through gzip in slices. */
async function writeSingleFile(
  spec: WorkloadSpec,
  dir: string,
  templates: readonly EventTemplate[],
  random: SeededRandom,
  names: Set<string>,
): Promise<WorkloadFile> {
  const target = spec.singleFileBytes as number;
  const [account, region] = [spec.accounts[0]!, spec.regions[0]!];
  const startMs = Date.parse(spec.start);
  const windowMs = spec.spanDays * 24 * 60 * MINUTE;
  const key = fileKey(account, region, startMs + windowMs + 5 * MINUTE, random.alphanumeric(16));
  const path = join(dir, key);
  mkdirSync(dirname(path), { recursive: true });
  const gzip = createGzip({ level: GZIP_LEVEL });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const write = (text: string): Promise<void> =>
    new Promise((resolve) => (gzip.write(text) ? resolve() : gzip.once('drain', () => resolve())));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  await write('{"Records":[');
  let rawBytes = '{"Records":['.length;
  let events = 0;
  // Event times spread evenly over the window: the slices are generated in order.
  const slice = 1000;
  const perSliceMs = windowMs / Math.max(1, Math.ceil(target / 1300 / slice));
  for (let n = 0; rawBytes < target; n++) {
    const records = fileRecords(
      templates,
      slice,
      startMs + Math.min(n * perSliceMs, windowMs - perSliceMs),
      perSliceMs,
      account,
      random,
      names,
    );
    const text = (events === 0 ? '' : ',') + records.join(',');
    rawBytes += Buffer.byteLength(text);
    events += records.length;
    await write(text);
  }
  await write(']}');
  rawBytes += 2;
  gzip.end();
  await ended;
  const gzipped = Buffer.concat(chunks);
  writeFileSync(path, gzipped);
  return { key, events, rawBytes, bytes: gzipped.length };
}

if (import.meta.main) {
  const name = (process.argv[2] ?? 'small') as WorkloadName;
  const spec = WORKLOADS[name];
  if (!spec) {
    console.error(`usage: node bench/generate-workload.ts ${Object.keys(WORKLOADS).join('|')}`);
    process.exit(2);
  }
  const workload = await ensureWorkload(spec, (line) => console.log(line));
  console.log(
    `${workload.dir}: ${workload.files.length} files, ${workload.events} events, ` +
      `${workload.distinctEventNames} distinct eventNames (of the corpus's ${workload.corpusEvents} events)`,
  );
}
