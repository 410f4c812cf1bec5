/**
 * How long a backfill takes to resume from the checkpoint of a million completed files, and how
 * big that checkpoint is (issue 18). A benchmark, never a test:
 *
 *   node bench/checkpoint-resume.ts [FILES]     # default 1,000,000
 *
 * Writes a checkpoint of FILES organization-trail S3 names (bench/workload/, git-ignored) the way a
 * run would (header, one JSON string per line), then times `Checkpoint.open` (read, parse, index)
 * in a fresh process, and a membership test of every name. Results go into RESULTS.md, section
 * `checkpoint-resume`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../src/backfill/checkpoint.ts';
import { NODE } from './cli-process.ts';
import { writeSection } from './results-section.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const path = join(ROOT, 'bench/workload/resume.checkpoint');
const nameOf = (n: number): string => {
  const dd = String(1 + (n % 28)).padStart(2, '0');
  const hhmm = String(n % 2400).padStart(4, '0');
  return `s3://org-trail-bucket/AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2024/05/${dd}/111111111111_CloudTrail_us-east-1_202405${dd}T${hhmm}Z_${n.toString(36).padStart(16, 'x')}.json.gz`;
};

if (process.argv[2] === '--measure') {
  const files = Number(process.argv[3]);
  const started = performance.now();
  const checkpoint = await Checkpoint.open(path);
  const openSeconds = (performance.now() - started) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const rssMb = memory.rss / 1024 / 1024;
  // The fingerprints are in a typed array (FingerprintSet): outside the JS heap, in arrayBuffers.
  const heapMb = (memory.heapUsed + memory.arrayBuffers) / 1024 / 1024;
  let found = 0;
  const lookups = performance.now();
  for (let n = 0; n < files; n++) if (checkpoint.has(nameOf(n))) found++;
  const lookupSeconds = (performance.now() - lookups) / 1000;
  if (found !== files) throw new Error(`${found} of ${files} names found`);
  process.stdout.write(JSON.stringify({ openSeconds, lookupSeconds, rssMb, heapMb }));
} else {
  const files = Number(process.argv[2] ?? 1_000_000);
  mkdirSync(join(ROOT, 'bench/workload'), { recursive: true });
  const lines = ['{"checkpoint":"cloudtrail-indexer backfill","format":2}'];
  for (let n = 0; n < files; n++) lines.push(JSON.stringify(nameOf(n)));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const sizeMb = statSync(path).size / 1e6;
  const loadBefore = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  const run = spawnSync(
    NODE,
    ['--expose-gc', new URL(import.meta.url).pathname, '--measure', String(files)],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const { openSeconds, lookupSeconds, rssMb, heapMb } = JSON.parse(run.stdout) as {
    openSeconds: number;
    lookupSeconds: number;
    rssMb: number;
    heapMb: number;
  };
  const summary = `${files.toLocaleString('en-US')} names: checkpoint ${sizeMb.toFixed(1)} MB (${Math.round((sizeMb * 1e6) / files)} bytes per file), opened in ${openSeconds.toFixed(2)} s, ${files.toLocaleString('en-US')} lookups in ${lookupSeconds.toFixed(2)} s; once open, RSS ${rssMb.toFixed(0)} MB, JS heap and array buffers ${heapMb.toFixed(0)} MB (after a full collection)`;
  console.log(summary);
  writeSection(
    join(ROOT, 'bench/RESULTS.md'),
    'checkpoint-resume',
    `## checkpoint: resuming a million-file backfill (issue 18)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), shared with other work (load average ${loadBefore}); Node ${process.version}. \`node bench/checkpoint-resume.ts ${files}\`: a checkpoint of organization-trail S3 names as a run writes it, opened by a fresh process.

- ${summary}.
- A resumed run holds the first 16 bytes of a SHA-256 of each name previous runs completed (\`FingerprintSet\`, one typed array), not the names (a run does not keep what it records); the heap and array buffers above are that cost.
`,
  );
}
