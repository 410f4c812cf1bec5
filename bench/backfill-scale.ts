/**
 * Backfill at organization scale (issue 18): is memory flat in the number of selected files, and
 * how long does listing take? A benchmark, never a test.
 *
 *   set -a; . .stack/env; set +a          # an OpenSearch and a LocalStack (npm run stack:up)
 *   node bench/backfill-scale.ts [--local 10000,1000000] [--s3 10000,200000] [--node-flags '...']
 *   (--local '' runs S3 sizes only, into a section of their own)
 *   (--keep-buckets: the S3 buckets are named by their size, reused when complete and kept after the
 *    run, so a long upload can happen once, e.g. with --upload-only while the machine is busy, and the
 *    listing be timed later on a quiet one)
 *
 * - Local: folders of N CloudTrail-named files (bench/workload/scale-N/, git-ignored, generated once
 *   and reused), each holding `{"Records":[]}`: the files carry no events, so what is measured is
 *   what grows with the number of files (listing, work queue, checkpoint, progress), not the
 *   per-event memory the ingest benchmark measures. `backfill --local` runs as its own process under
 *   GNU time (peak RSS), with a fresh checkpoint.
 * - S3: a LocalStack bucket of N objects (uploaded once per run, deleted at the end), listed by
 *   `backfill --dry-run --s3` (one listing, nothing held): wall time per 100,000 objects, peak RSS.
 *
 * Results go into RESULTS.md, section `backfill-scale`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { cliEntry, IMAGE_NODE_OPTIONS, runUnderGnuTime } from './cli-process.ts';
import { writeSection } from './results-section.ts';
import { keyOf } from './scale-keys.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const localSizes = arg('local', '10000,1000000').split(',').filter(Boolean).map(Number);
const s3Sizes = arg('s3', '200000').split(',').filter(Boolean).map(Number);
/** The Node flags the container image runs the CLI with (the Dockerfile's ENTRYPOINT), unless `--node-flags ''`. */
const nodeFlags = arg('node-flags', IMAGE_NODE_OPTIONS).split(' ').filter(Boolean);
const keepBuckets = process.argv.includes('--keep-buckets') || process.argv.includes('--upload-only');
const uploadOnly = process.argv.includes('--upload-only');
const env = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: load the stack's environment first (set -a; . .stack/env; set +a)`);
  return value;
};

const BODY = gzipSync('{"Records":[]}');

function generateLocal(files: number): string {
  const folder = join(ROOT, `bench/workload/scale-${files}`);
  const manifest = join(folder, 'MANIFEST');
  if (existsSync(manifest) && readFileSync(manifest, 'utf8') === String(files)) return folder;
  rmSync(folder, { recursive: true, force: true });
  const started = Date.now();
  let lastDir = '';
  for (let n = 0; n < files; n++) {
    const path = join(folder, keyOf(n));
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir !== lastDir) {
      mkdirSync(dir, { recursive: true });
      lastDir = dir;
    }
    writeFileSync(path, BODY);
  }
  writeFileSync(manifest, String(files));
  console.log(`generated ${files} files in ${((Date.now() - started) / 1000).toFixed(0)} s: ${folder}`);
  return folder;
}

interface Run {
  readonly wallSeconds: number;
  readonly maxRssMb: number;
  readonly stdout: string;
}

/** The CLI under GNU time: wall time as this process sees it, the kernel's peak RSS. */
async function timed(args: readonly string[], extraEnv: Record<string, string>): Promise<Run> {
  const scratch = mkdtempSync(join(tmpdir(), 'cti-bench-scale-'));
  try {
    const { status, stdout, stderr, wallSeconds, timeField } = await runUnderGnuTime(
      [...nodeFlags, cliEntry('src'), ...args],
      { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...extraEnv },
      scratch,
    );
    if (status !== 0)
      throw new Error(`${args.join(' ')} failed (exit ${status}):\n${stdout}\n${stderr.slice(-3000)}`);
    const maxRssKb = timeField('Maximum resident set size \\(kbytes\\)');
    return { wallSeconds, maxRssMb: maxRssKb / 1024, stdout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const stackEnv = (): Record<string, string> => ({
  OPENSEARCH_URL: env('OPENSEARCH_URL'),
  AWS_ENDPOINT_URL: env('AWS_ENDPOINT_URL'),
  AWS_REGION: env('AWS_REGION'),
  AWS_ACCESS_KEY_ID: env('AWS_ACCESS_KEY_ID'),
  AWS_SECRET_ACCESS_KEY: env('AWS_SECRET_ACCESS_KEY'),
});

async function localRuns(): Promise<string[]> {
  const rows: string[] = [];
  for (const files of localSizes) {
    const folder = generateLocal(files);
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'cti-bench-ckpt-')), 'checkpoint');
    const run = await timed(['backfill', '--local', folder, '--checkpoint', checkpoint], {
      ...stackEnv(),
      INDEX_PREFIX: 'bench-scale',
    });
    const summary = /backfill done: .*/.exec(run.stdout)?.[0] ?? run.stdout.slice(0, 200);
    const checkpointMb = readFileSync(checkpoint).length / 1e6;
    rmSync(join(checkpoint, '..'), { recursive: true, force: true });
    console.log(
      `local ${files}: ${run.wallSeconds.toFixed(0)} s, peak RSS ${run.maxRssMb.toFixed(1)} MB; ${summary}`,
    );
    rows.push(
      `| backfill --local | ${files.toLocaleString('en-US')} | ${run.wallSeconds.toFixed(0)} s (${Math.round(files / run.wallSeconds)} files/s) | **${run.maxRssMb.toFixed(1)} MB** | checkpoint ${checkpointMb.toFixed(1)} MB; ${summary.replace(/\|/g, '/')} |`,
    );
  }
  return rows;
}

async function s3Runs(): Promise<string[]> {
  const rows: string[] = [];
  for (const objects of s3Sizes) rows.push(await s3Run(objects));
  return rows;
}

async function s3Run(s3Objects: number): Promise<string> {
  const s3 = new S3Client({
    endpoint: env('AWS_ENDPOINT_URL'),
    region: env('AWS_REGION'),
    forcePathStyle: true,
  });
  const bucket = keepBuckets ? `bench-scale-${s3Objects}` : `bench-scale-${Date.now()}`;
  try {
    if (!(await holdsUpload(s3, bucket, s3Objects))) await upload(s3, bucket, s3Objects);
    if (uploadOnly) return '';
    const run = await timed(['backfill', '--s3', `s3://${bucket}`, '--dry-run'], stackEnv());
    const listed = Number(/Would load (\d+) files/.exec(run.stdout)?.[1]);
    if (listed !== s3Objects)
      throw new Error(`dry run listed ${listed} of ${s3Objects} objects:\n${run.stdout.slice(0, 500)}`);
    const per100k = run.wallSeconds / (s3Objects / 100_000);
    console.log(
      `s3 ${s3Objects}: ${run.wallSeconds.toFixed(1)} s (${per100k.toFixed(1)} s per 100k), peak RSS ${run.maxRssMb.toFixed(1)} MB`,
    );
    return `| backfill --s3 --dry-run (LocalStack S3, one listing, --list-concurrency 8) | ${s3Objects.toLocaleString('en-US')} | ${run.wallSeconds.toFixed(1)} s: **${per100k.toFixed(1)} s per 100,000 objects** | **${run.maxRssMb.toFixed(1)} MB** | whole process (start-up included) |`;
  } finally {
    if (!keepBuckets) await deleteBucket(s3, bucket);
    s3.destroy();
  }
}

/** A kept bucket is reused only when its tag says the whole upload finished. */
async function holdsUpload(s3: S3Client, bucket: string, objects: number): Promise<boolean> {
  if (!keepBuckets) return false;
  try {
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    const complete = TagSet?.some((tag) => tag.Key === 'uploaded' && tag.Value === String(objects)) ?? false;
    if (complete) console.log(`reusing s3://${bucket} (${objects} objects uploaded before)`);
    return complete;
  } catch {
    return false;
  }
}

async function upload(s3: S3Client, bucket: string, objects: number): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
  });
  const limit = pLimit(32);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: objects }, (_, n) =>
      limit(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(n), Body: BODY }))),
    ),
  );
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: bucket,
      Tagging: { TagSet: [{ Key: 'uploaded', Value: String(objects) }] },
    }),
  );
  console.log(`uploaded ${objects} objects in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
    if (keys.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

const startedAt = new Date();
const loadBefore = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const rows = [...(await localRuns()), ...(await s3Runs())];
if (uploadOnly) {
  console.log('--upload-only: the buckets are uploaded and kept; nothing was measured');
  process.exit(0);
}
const loadAfter = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const command = `node bench/backfill-scale.ts --local ${localSizes.join(',')} --s3 ${s3Sizes.join(',')}${nodeFlags.join(' ') === IMAGE_NODE_OPTIONS ? '' : ` --node-flags '${nodeFlags.join(' ')}'`}`;
// A run of S3 sizes only has a section of its own, so the long local runs are not overwritten.
const section = localSizes.length === 0 ? 'backfill-scale-s3' : 'backfill-scale';
writeSection(
  join(ROOT, 'bench/RESULTS.md'),
  section,
  `## backfill at scale: memory over the number of files, listing time (issue 18${localSizes.length === 0 ? ', S3' : ''})

Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), shared with other work (load average ${loadBefore} before, ${loadAfter} after); Node ${process.version}; \`src\` build (type stripping) with ${nodeFlags.length > 0 ? `the image's Node flags (\`${nodeFlags.join(' ')}\`)` : 'no V8 flags'}. Command (with the stack's environment loaded: \`set -a; . .stack/env; set +a\`):

\`\`\`sh
${command}
\`\`\`

Files hold \`{"Records":[]}\`, so the figures isolate what grows with the number of files (listing, work queue, checkpoint, progress); the per-event memory is the ingest section's. Local files: 1,000 per day folder over 10 accounts and 4 regions, under \`bench/workload/scale-N/\` (git-ignored). Peak RSS from GNU time (the kernel's high-water mark) for the whole process.

| run | files | time | peak RSS | notes |
|---|---|---|---|---|
${rows.join('\n')}
`,
);
console.log(`RESULTS.md: section ${section} written`);
