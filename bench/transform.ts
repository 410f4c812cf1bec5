/**
 * Throughput and memory of the transform: read (split) + lossless parse + flatten + serialize.
 *
 *   npm run bench:transform                    # throughput, then peak RSS of `transform` on 200 MB
 *   npm run bench:transform -- --write-results # ...and update the transform section of bench/RESULTS.md
 *   npm run bench:transform -- --skip-rss      # throughput only
 *
 * Events are the real ones of the shared corpus (logs/, converted-records/, insights/), each copy
 * with a fresh eventID, assembled into compact CloudTrail log files in memory. Timings run on this
 * one process (one core); the RSS run spawns the real CLI under /usr/bin/time on a generated log file
 * of 200 MB (uncompressed) in bench/workload/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { classifyObjectKey } from '../src/sources/classify-object-key.ts';
import { RecordsSplitter } from '../src/sources/records-splitter.ts';
import { parseLossless } from '../src/transforms/parse-lossless.ts';
import { toDocument } from '../src/transforms/to-document.ts';
import { DEFAULT_TRANSFORM_OPTIONS, transformLogFileBatches } from '../src/transforms/transform-log-file.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = process.env.CORPUS_DIR ?? join(ROOT, '../shared/corpus');
const WORKLOAD = join(ROOT, 'bench/workload');
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RSS_FILE_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const args = new Set(process.argv.slice(2));

function corpusEvents(): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const folder of ['logs', 'converted-records', 'insights']) {
    for (const file of filesUnder(join(CORPUS, folder))) {
      if (!/\.(json|json\.gz|log)$/.test(file)) continue;
      let bytes = readFileSync(file);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const parsed = parseLossless(bytes.toString('utf8')) as { Records?: Record<string, unknown>[] };
      events.push(...(parsed.Records ?? []));
    }
  }
  return events;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
    );
}

/** `count` compact record texts cycling through the corpus, each with a fresh eventID. */
function derivedRecords(events: Record<string, unknown>[], count: number): string[] {
  const texts = events.map((event) => JSON.stringify(event));
  const records: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const event = JSON.parse(texts[i % texts.length]!, (_key, value, context?: { source?: string }) =>
      typeof value === 'number' && context?.source !== undefined && String(value) !== context.source
        ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(context.source)
        : value,
    ) as Record<string, unknown>;
    event.eventID = randomUUID();
    records[i] = JSON.stringify(event);
  }
  return records;
}

function logFile(records: string[]): Buffer {
  return Buffer.from(`{"Records":[${records.join(',')}]}`);
}

async function* chunksOf(buffer: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += CHUNK_BYTES) yield buffer.subarray(i, i + CHUNK_BYTES);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measure {
  readonly name: string;
  readonly microsPerEvent: number;
  readonly bestMicrosPerEvent: number;
  readonly eventsPerSecond: number;
  readonly megabytesPerSecond: number;
}

async function measure(
  name: string,
  bytes: number,
  count: number,
  run: () => Promise<number>,
): Promise<Measure> {
  await run(); // warm-up: JIT and caches
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const seen = await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (seen !== count) throw new Error(`${name}: expected ${count} events, got ${seen}`);
  }
  const seconds = median(times);
  return {
    name,
    microsPerEvent: (seconds * 1e6) / count,
    bestMicrosPerEvent: (Math.min(...times) * 1e6) / count,
    eventsPerSecond: count / seconds,
    megabytesPerSecond: bytes / 1024 / 1024 / seconds,
  };
}

async function throughput(): Promise<{ measures: Measure[]; averageEventBytes: number; eventCount: number }> {
  const events = corpusEvents();
  // Only the file's bytes stay alive (outside the JS heap) while the full path is timed: a large live
  // heap of test strings would make every garbage collection slower than in the real process.
  const file = logFile(derivedRecords(events, EVENTS));
  const gzipped = gzipSync(file);
  const keyInfo = classifyObjectKey(
    'AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/31/123456789012_CloudTrail_us-east-1_20240531T2355Z_AbCdEfGhIjKlMnOp.json.gz',
  );
  const source = { name: 'bench', keyInfo };
  const options = DEFAULT_TRANSFORM_OPTIONS;

  const measures: Measure[] = [];
  measures.push(
    await measure('full: read + parse + flatten + serialize', file.length, EVENTS, async () => {
      let seen = 0;
      for await (const batch of transformLogFileBatches(chunksOf(file), source, options))
        seen += batch.length;
      return seen;
    }),
  );
  measures.push(
    await measure('full, from gzip', file.length, EVENTS, async () => {
      let seen = 0;
      for await (const batch of transformLogFileBatches(chunksOf(gzipped), source, options))
        seen += batch.length;
      return seen;
    }),
  );
  measures.push(
    await measure('stage: split only (RecordsSplitter)', file.length, EVENTS, async () => {
      const splitter = new RecordsSplitter('bench');
      let seen = 0;
      for (let i = 0; i < file.length; i += CHUNK_BYTES)
        seen += splitter.push(file.subarray(i, i + CHUNK_BYTES)).length;
      splitter.finish();
      return seen;
    }),
  );
  // The stage breakdown works on record texts held in memory (a larger live heap: slower GCs).
  const records: string[] = [];
  const splitter = new RecordsSplitter('bench');
  for (let i = 0; i < file.length; i += CHUNK_BYTES) {
    for (const record of splitter.push(file.subarray(i, i + CHUNK_BYTES))) records.push(record.text);
  }
  measures.push(
    await measure('stage: JSON.parse only (baseline)', file.length, EVENTS, async () => {
      let seen = 0;
      for (const record of records) if (JSON.parse(record) !== null) seen++;
      return seen;
    }),
  );
  measures.push(
    await measure(
      'stage: lossless parse + flatten + serialize (toDocument)',
      file.length,
      EVENTS,
      async () => {
        let seen = 0;
        for (const record of records) {
          const document = toDocument(parseLossless(record) as Record<string, unknown>, keyInfo, options);
          if (document.body.length > 0) seen++;
        }
        return seen;
      },
    ),
  );
  return { measures, averageEventBytes: file.length / EVENTS, eventCount: events.length };
}

/** Writes a log file of about `bytes` (uncompressed) by streaming, without holding it in memory. */
async function writeWorkload(path: string, bytes: number): Promise<number> {
  const records = derivedRecords(corpusEvents(), 5_000);
  const out = createWriteStream(path);
  const write = (text: string): Promise<void> =>
    new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', () => resolve())));
  await write('{"Records":[');
  let written = 12;
  let count = 0;
  while (written < bytes) {
    const template = records[count % records.length]!;
    const text =
      (count === 0 ? '' : ',') + template.replace(/"eventID":"[^"]*"/, `"eventID":"${randomUUID()}"`);
    await write(text);
    written += Buffer.byteLength(text);
    count++;
  }
  await write(']}\n');
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return count;
}

interface RssRun {
  readonly file: string;
  readonly fileBytes: number;
  readonly events: number;
  readonly maxRssKb: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** The 200 MB workload (uncompressed) and its gzip twin, generated once into bench/workload/. */
async function workloadFiles(): Promise<{ plain: string; gzipped: string; events: number }> {
  await mkdir(WORKLOAD, { recursive: true });
  const plain = join(WORKLOAD, '123456789012_CloudTrail_us-east-1_20240601T0005Z_BenchWorkload200M.json');
  const gzipped = `${plain}.gz`;
  const countFile = `${plain}.count`;
  if (!(existsSync(plain) && existsSync(countFile) && statSync(plain).size >= RSS_FILE_BYTES)) {
    writeFileSync(countFile, String(await writeWorkload(plain, RSS_FILE_BYTES)));
  }
  if (!existsSync(gzipped) || statSync(gzipped).mtimeMs < statSync(plain).mtimeMs) {
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(gzipped));
  }
  return { plain, gzipped, events: Number(readFileSync(countFile, 'utf8')) };
}

/** Runs the real CLI under /usr/bin/time -v, output to /dev/null. */
function measureCli(file: string, events: number): RssRun {
  const result = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, join(ROOT, 'src/bin/cli.ts'), 'transform', file],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const stderr = result.stderr;
  const field = (name: string): number => Number(new RegExp(`${name}: ([\\d.]+)`).exec(stderr)?.[1]);
  const elapsed = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const wallSeconds = elapsed
    ? Number(elapsed[1] ?? 0) * 3600 + Number(elapsed[2]) * 60 + Number(elapsed[3])
    : Number.NaN;
  const summary = /transform: (\d+) documents/.exec(stderr);
  if (result.status !== 0 || Number(summary?.[1]) !== events) {
    throw new Error(`transform run failed (status ${result.status}):\n${stderr}`);
  }
  return {
    file,
    fileBytes: statSync(file).size,
    events,
    maxRssKb: field('Maximum resident set size \\(kbytes\\)'),
    wallSeconds,
    cpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
  };
}

function format(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const { measures, averageEventBytes, eventCount } = await throughput();
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, one used), Node ${process.version}.`,
  `${format(EVENTS)} events derived from the ${format(eventCount)} corpus events (fresh eventIDs), ` +
    `compact, ${format(averageEventBytes)} bytes/event on average; median of ${RUNS} runs after a warm-up.`,
  '',
  '| path | µs/event (median) | µs/event (best) | events/s (median) | MB/s (median) |',
  '|---|---:|---:|---:|---:|',
  ...measures.map(
    (m) =>
      `| ${m.name} | ${format(m.microsPerEvent, 2)} | ${format(m.bestMicrosPerEvent, 2)} | ${format(m.eventsPerSecond)} | ${format(m.megabytesPerSecond)} |`,
  ),
];
console.log(lines.join('\n'));

if (!args.has('--skip-rss')) {
  const { plain, gzipped, events } = await workloadFiles();
  const runs = [measureCli(plain, events), measureCli(gzipped, events)];
  const rssLines = [
    '',
    `The real command, \`node src/bin/cli.ts transform FILE > /dev/null\`, under \`/usr/bin/time -v\`, on a generated ` +
      `log file of ${format(runs[0]!.fileBytes / 1024 / 1024)} MB uncompressed (${format(events)} events, one ` +
      '`{"Records":[...]}` object, in bench/workload/):',
    '',
    '| file | peak RSS | wall | CPU (user+sys) | CPU µs/event, end to end |',
    '|---|---:|---:|---:|---:|',
    ...runs.map(
      (run, i) =>
        `| ${i === 0 ? 'uncompressed' : 'gzip'}, ${format(run.fileBytes / 1024 / 1024)} MB | **${format(run.maxRssKb / 1024)} MB** | ` +
        `${format(run.wallSeconds, 1)} s | ${format(run.cpuSeconds, 1)} s | ${format((run.cpuSeconds * 1e6) / run.events, 1)} |`,
    ),
  ];
  console.log(rssLines.join('\n'));
  lines.push(...rssLines);
}

if (args.has('--write-results')) {
  const begin = '<!-- transform:begin -->';
  const end = '<!-- transform:end -->';
  const section = [
    begin,
    '## transform',
    '',
    'Reproduce: `npm run bench:transform -- --write-results` (`BENCH_EVENTS`, `BENCH_RUNS` adjust the run).',
    '',
    ...lines,
    end,
  ].join('\n');
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const next = current.includes(begin)
    ? current.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, next);
}
