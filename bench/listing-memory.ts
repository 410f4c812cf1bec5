/**
 * Peak RSS of `backfill --s3 --dry-run` over the number of listed objects, against a stand-in S3
 * (issue 18): the real CLI, the real AWS SDK, its HTTP handler and XML parser, but the
 * ListObjectsV2 pages come from a small HTTP server in this process, so a million objects need no
 * upload (LocalStack takes ~110 PUTs/s on this loaded machine: 30 min for 200,000). A benchmark,
 * never a test.
 *
 *   node bench/listing-memory.ts [--objects 10000,200000,1000000] [--node-flags '...']
 *
 * The keys are those of backfill-scale.ts (1,000 per day folder over 10 accounts and 4 regions).
 * Results go into RESULTS.md, section `listing-memory`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry, IMAGE_NODE_OPTIONS, runUnderGnuTime } from './cli-process.ts';
import { writeSection } from './results-section.ts';
import { keyOf } from './scale-keys.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = arg('objects', '10000,200000,1000000').split(',').filter(Boolean).map(Number);
const nodeFlags = arg('node-flags', IMAGE_NODE_OPTIONS).split(' ').filter(Boolean);

const escapeXml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** ListObjectsV2 (prefix, delimiter, continuation token, max-keys) and HeadBucket over sorted keys. */
function standInS3(keys: readonly string[]): Promise<Server> {
  const lowerBound = (target: string): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((keys[mid] as string) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const server = createServer((request, response) => {
    if (request.method === 'HEAD') {
      response.writeHead(200).end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter');
    const token = url.searchParams.get('continuation-token');
    const maxKeys = Number(url.searchParams.get('max-keys') ?? 1000);
    let i = token ? lowerBound(`${Buffer.from(token, 'base64').toString()}\0`) : lowerBound(prefix);
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    while (
      i < keys.length &&
      (keys[i] as string).startsWith(prefix) &&
      contents.length + prefixes.length < maxKeys
    ) {
      const key = keys[i] as string;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        last = key.slice(0, cut + 1);
        prefixes.push(last);
        i = lowerBound(`${last}\uffff`);
      } else {
        last = key;
        contents.push(key);
        i++;
      }
    }
    const truncated = i < keys.length && (keys[i] as string).startsWith(prefix);
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>stand-in</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : '',
      `<IsTruncated>${truncated}</IsTruncated>`,
      truncated
        ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>`
        : '',
      ...contents.map(
        (key) =>
          `<Contents><Key>${escapeXml(key)}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>34</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      ),
      ...prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(p)}</Prefix></CommonPrefixes>`),
      '</ListBucketResult>',
    ].join('');
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const rows: string[] = [];
const startedAt = new Date();
const loadBefore = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
for (const objects of sizes) {
  const keys = Array.from({ length: objects }, (_, n) => keyOf(n)).sort();
  const server = await standInS3(keys);
  const { port } = server.address() as AddressInfo;
  const run = await runUnderGnuTime(
    [...nodeFlags, cliEntry('src'), 'backfill', '--s3', 's3://stand-in', '--dry-run'],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'stand-in',
      AWS_SECRET_ACCESS_KEY: 'stand-in',
    },
    tmpdir(),
  );
  server.close();
  const listed = Number(/Would load (\d+) files/.exec(run.stdout)?.[1]);
  if (run.status !== 0 || listed !== objects)
    throw new Error(
      `dry run listed ${listed} of ${objects} (exit ${run.status}):\n${run.stderr.slice(-2000)}`,
    );
  const rssMb = run.timeField('Maximum resident set size \\(kbytes\\)') / 1024;
  const cpu = run.timeField('User time \\(seconds\\)') + run.timeField('System time \\(seconds\\)');
  console.log(
    `${objects} objects: ${run.wallSeconds.toFixed(1)} s, CPU ${cpu.toFixed(1)} s, peak RSS ${rssMb.toFixed(1)} MB`,
  );
  rows.push(
    `| ${objects.toLocaleString('en-US')} | ${run.wallSeconds.toFixed(1)} s | ${((cpu / objects) * 1e6).toFixed(0)} µs | **${rssMb.toFixed(1)} MB** |`,
  );
}
const loadAfter = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const flags = nodeFlags.join(' ');
writeSection(
  join(ROOT, 'bench/RESULTS.md'),
  'listing-memory',
  `## backfill --s3 memory over the number of listed objects, stand-in S3 (issue 18)

Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), shared with other work (load average ${loadBefore} before, ${loadAfter} after); Node ${process.version}; \`src\` build with ${flags ? `\`${flags}\`` : 'no V8 flags'}. Command: \`node bench/listing-memory.ts --objects ${sizes.join(',')}${flags === IMAGE_NODE_OPTIONS ? '' : ` --node-flags '${flags}'`}\`.

\`backfill --s3 s3://stand-in --dry-run\` (one listing, --list-concurrency 8) as its own process under GNU time (peak RSS of the whole process, start-up included), against ListObjectsV2 pages of 1,000 keys served by an HTTP server in the benchmark's process: the real SDK, HTTP handler and XML parser, without LocalStack's upload time.

| objects | time | CPU per object | peak RSS |
|---|---|---|---|
${rows.join('\n')}
`,
);
console.log('RESULTS.md: section listing-memory written');
