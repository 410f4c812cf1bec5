/**
 * Issue 19 part 4, diagnosis: what the worker leaves idle at the cluster. One round of the upper
 * bound, the backfill and the worker on the bench stack, each through a counting proxy in front of
 * OpenSearch (bulk requests in flight over time, their documents, bytes and latency; index creations;
 * the `_count` polls) and, for the worker, in front of LocalStack's S3 (PutObject and GetObject latency;
 * the worker's SQS calls do not pass it: the SDK sends them to the queue URL's own host), with
 * OpenSearch's CPU sampled every 100 ms. Not a record scenario: it prints what it saw (issue 19 part 4's
 * diagnosis, bench/RESULTS.md has no section of it). Take /work/coord/bench.lock or the like around it.
 *
 *   node bench/worker-gaps.ts [--runs upper,worker,backfill,...] [--env KEY=VALUE ...] [--baseline COMMIT] [--build-only | --no-build]
 *
 * Runs: `upper` (full requests across files), `upper-per-file` (requests ended with each file, as a
 * writer that sends each file alone would), `upper-cN` (N requests in flight), `worker`, `backfill`,
 * and `worker-baseline` / `backfill-baseline` (the `--baseline` commit's build); `worker@KEY=VALUE` gives
 * one run settings of its own, `--env KEY=VALUE` every worker and backfill run (e.g. FILES_IN_FLIGHT=8);
 * `dedicated` in the list pins OpenSearch to a core of its own (cpu-pinning.ts) for the runs after it,
 * `shared` ends that. `--build-only` compiles the builds and stops, `--no-build` uses them as they are.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_TRANSFORM_OPTIONS } from '../src/pipeline/transform-log-file.ts';
import { type BenchStack, startBenchStack } from './bench-stack.ts';
import { buildBaseline, buildDist, type CliBuild } from './cli-process.ts';
import { groupCpuSeconds } from './cpu-accounting.ts';
import { withDedicatedClusterCpu } from './cpu-pinning.ts';
import { ensureWorkload, WORKLOADS } from './generate-workload.ts';
import { measureBackfill, measureUpperBound, measureWorker, otherCores } from './ingest-scenarios.ts';
import { percentile } from './stats.ts';
import { buildBulkBodies, productBulkSettings } from './upper-bound.ts';

function log(line: string): void {
  process.stderr.write(`[worker-gaps ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

interface Call {
  readonly kind: string;
  readonly start: number;
  end: number;
  readonly bytes: number;
  readonly documents: number;
}

/** Forwards every request to `target` and records each one's kind, timing and size. */
async function countingProxy(
  target: string,
  kindOf: (method: string, path: string, headers: Record<string, unknown>) => string,
) {
  const to = new URL(target);
  const calls: Call[] = [];
  let inFlightBulks = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const kind = kindOf(req.method ?? 'GET', req.url ?? '/', req.headers);
      let documents = 0;
      if (kind === 'bulk') {
        for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) documents++;
        documents /= 2;
        inFlightBulks++;
      }
      const call: Call = { kind, start: performance.now(), end: Number.NaN, bytes: body.length, documents };
      calls.push(call);
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            call.end = performance.now();
            if (kind === 'bulk') inFlightBulks--;
          });
        },
      );
      upstream.on('error', (error) => {
        call.end = performance.now();
        if (kind === 'bulk') inFlightBulks--;
        res.destroy(error);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    inFlightBulks: () => inFlightBulks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const opensearchKind = (method: string, path: string): string =>
  method === 'POST' && path.startsWith('/_bulk')
    ? 'bulk'
    : `${method} ${path.split('?')[0]?.split('/')[2] ?? ''}`;

const awsKind = (method: string, path: string, headers: Record<string, unknown>): string => {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.replace('AmazonSQS.', 'SQS ');
  const [bucket, key] = [path.split('/')[1], path.split('/').slice(2).join('/')];
  return key ? `S3 ${method} object` : `S3 ${method} ${bucket ? 'bucket' : ''}`;
};

function quantiles(values: number[]): string {
  if (values.length === 0) return '-';
  const at = (p: number) => percentile(values, p).toFixed(0);
  return `n=${values.length} p50=${at(50)} p90=${at(90)} max=${at(100)} sum=${values.reduce((a, b) => a + b, 0).toFixed(0)}`;
}

/** Samples OpenSearch's CPU and the bulks in flight every 100 ms while `work` runs. */
async function sampled<T>(
  stack: BenchStack,
  proxy: { inFlightBulks(): number; calls: Call[] },
  name: string,
  work: () => Promise<T>,
  aws?: { calls: Call[] },
): Promise<T> {
  const awsFrom = aws?.calls.length ?? 0;
  const samples: Array<{ cpu: number; bulks: number }> = [];
  let last = groupCpuSeconds(stack.groups.opensearch);
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = groupCpuSeconds(stack.groups.opensearch);
    samples.push({ cpu: (cpu - last) / ((now - lastAt) / 1000), bulks: proxy.inFlightBulks() });
    last = cpu;
    lastAt = now;
  }, 100);
  const calls = proxy.calls.length;
  const started = performance.now();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    const mine = proxy.calls.slice(calls).filter((c) => c.kind === 'bulk');
    const firstBulk = Math.min(...mine.map((c) => c.start)) - started;
    const lastBulk = Math.max(...mine.map((c) => c.end)) - started;
    // Only the samples between the first bulk's start and the last one's end.
    const from = Math.floor(firstBulk / 100);
    const to = Math.ceil(lastBulk / 100);
    const window = samples.slice(from, to);
    const histogram = new Map<number, number>();
    for (const s of window) histogram.set(s.bulks, (histogram.get(s.bulks) ?? 0) + 1);
    const idle = window.filter((s) => s.cpu < 0.3).length;
    log(
      `${name}: ${mine.length} bulks, docs ${quantiles(mine.map((c) => c.documents))}, KB ${quantiles(mine.map((c) => c.bytes / 1024))}, ms ${quantiles(mine.map((c) => c.end - c.start))}`,
    );
    log(
      `${name}: first bulk at ${(firstBulk / 1000).toFixed(2)} s, last bulk done at ${(lastBulk / 1000).toFixed(2)} s, whole ${((performance.now() - started) / 1000).toFixed(2)} s; ` +
        `bulks in flight per 100 ms sample: ${[...histogram.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([k, v]) => `${k}:${((v / window.length) * 100).toFixed(0)}%`)
          .join(
            ' ',
          )}; OpenSearch CPU mean ${(window.reduce((a, s) => a + s.cpu, 0) / window.length).toFixed(2)} cores, samples under 0.3 cores ${((idle / window.length) * 100).toFixed(0)}%`,
    );
    // A coarse timeline: bulks in flight and OpenSearch cores per second.
    const perSecond: string[] = [];
    for (let i = 0; i < samples.length; i += 10) {
      const slice = samples.slice(i, i + 10);
      perSecond.push(
        `${(slice.reduce((a, s) => a + s.bulks, 0) / slice.length).toFixed(1)}/${(slice.reduce((a, s) => a + s.cpu, 0) / slice.length).toFixed(2)}`,
      );
    }
    log(`${name}: per second (bulks in flight / OpenSearch cores): ${perSecond.join(' ')}`);
    // Phases, in seconds from the first upload (the worker's clock) or from the first request.
    const others = proxy.calls.slice(calls).filter((c) => c.kind !== 'bulk');
    const awsCalls = aws?.calls.slice(awsFrom) ?? [];
    const firstOf = (list: Call[], kind: string): number =>
      Math.min(...list.filter((c) => c.kind === kind).map((c) => c.start));
    const uploadStart = firstOf(awsCalls, 'S3 PUT object');
    const zero = Number.isFinite(uploadStart) ? uploadStart : started;
    const at = (t: number): string => ((t - zero) / 1000).toFixed(2);
    const creations = others.filter((c) => c.kind.startsWith('PUT ') && !c.kind.includes('_'));
    const counts = others.filter((c) => c.kind.includes('_count'));
    log(
      `${name}: phases (s from ${Number.isFinite(uploadStart) ? 'first upload' : 'start'}): ` +
        `last upload ${at(Math.max(...awsCalls.filter((c) => c.kind === 'S3 PUT object').map((c) => c.end)))}, ` +
        `first GetObject ${at(firstOf(awsCalls, 'S3 GET object'))}, ` +
        `index creations ${creations.map((c) => `${at(c.start)}+${((c.end - c.start) / 1000).toFixed(2)}`).join(' ')}, ` +
        `first bulk ${at(Math.min(...mine.map((c) => c.start)))}, last bulk done ${at(Math.max(...mine.map((c) => c.end)))}, ` +
        `last _count done ${at(Math.max(...counts.map((c) => c.end)))} (${counts.length} counts)`,
    );
  }
}

async function main(): Promise<void> {
  const runsAt = process.argv.indexOf('--runs');
  const runs = (runsAt > 0 ? process.argv[runsAt + 1]! : 'upper,worker,backfill').split(',');
  const sharedEnv: Record<string, string> = {};
  process.argv.forEach((arg, i) => {
    if (arg === '--env') {
      const [key, value] = process.argv[i + 1]!.split('=');
      sharedEnv[key!] = value!;
    }
  });
  const workload = await ensureWorkload(WORKLOADS.small, log);
  const baselineAt = process.argv.indexOf('--baseline');
  // --no-build: the builds were made beforehand (outside a benchmark lock).
  if (!process.argv.includes('--no-build')) {
    buildDist();
    if (baselineAt > 0) buildBaseline(process.argv[baselineAt + 1] ?? 'main');
  }
  if (process.argv.includes('--build-only')) return;
  const settings = productBulkSettings({});
  const bodies = await buildBulkBodies(workload, settings, {
    ...DEFAULT_TRANSFORM_OPTIONS,
    indexPrefix: 'ub',
  });
  log(
    `upper bound bodies: ${bodies.bodies.length} requests, ${bodies.documents} docs, ${(bodies.bytes / 1e6).toFixed(1)} MB, concurrency ${settings.concurrency}`,
  );
  const perFile = runs.includes('upper-per-file')
    ? await buildBulkBodies(
        workload,
        settings,
        { ...DEFAULT_TRANSFORM_OPTIONS, indexPrefix: 'ub' },
        'per-file',
      )
    : bodies;
  const stack = await startBenchStack(log);
  const os = await countingProxy(stack.env.OPENSEARCH_URL, opensearchKind);
  const aws = await countingProxy(stack.env.AWS_ENDPOINT_URL, awsKind);
  const proxied: BenchStack = {
    ...stack,
    env: { ...stack.env, OPENSEARCH_URL: os.url, AWS_ENDPOINT_URL: aws.url },
  };
  // `dedicated` in the list of runs pins OpenSearch to a core of its own for the runs after it; `shared` ends that.
  const segments: Array<{ dedicated: boolean; runs: string[] }> = [{ dedicated: false, runs: [] }];
  for (const run of runs) {
    if (run === 'dedicated' || run === 'shared') segments.push({ dedicated: run === 'dedicated', runs: [] });
    else segments.at(-1)?.runs.push(run);
  }
  try {
    await measureUpperBound(proxied, bodies, 'ub', settings.concurrency);
    for (const segment of segments) {
      const pinned = <T>(work: () => Promise<T>): Promise<T> =>
        segment.dedicated ? withDedicatedClusterCpu(stack.groups, work) : work();
      if (segment.runs.length > 0) log(segment.dedicated ? 'dedicated cluster core' : 'shared cores');
      await pinned(async () => {
        for (const named of segment.runs) {
          // `worker@FILES_IN_FLIGHT=8@BULK_CONCURRENCY=4`: settings of this run only.
          const [run = '', ...settingsOfRun] = named.split('@');
          const env = { ...sharedEnv, ...Object.fromEntries(settingsOfRun.map((kv) => kv.split('='))) };
          const build: CliBuild = run.endsWith('-baseline') ? 'baseline' : 'dist';
          log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
          const awsCalls = aws.calls.length;
          if (run === 'upper') {
            const m = await sampled(stack, os, 'upper bound', () =>
              measureUpperBound(proxied, bodies, 'ub', settings.concurrency),
            );
            log(
              `upper bound: ${(m.events / m.seconds).toFixed(0)} events/s, ${m.seconds.toFixed(2)} s, other work ${otherCores(m).toFixed(2)} cores`,
            );
          } else if (run === 'upper-per-file' || run.startsWith('upper-c')) {
            const concurrency = run.startsWith('upper-c') ? Number(run.slice(7)) : settings.concurrency;
            const which = run === 'upper-per-file' ? perFile : bodies;
            const m = await sampled(stack, os, run, () =>
              measureUpperBound(proxied, which, 'ub', concurrency),
            );
            log(`${run}: ${(m.events / m.seconds).toFixed(0)} events/s, ${m.seconds.toFixed(2)} s`);
          } else if (run.startsWith('backfill')) {
            const m = await sampled(stack, os, named, () =>
              measureBackfill(proxied, workload, 'bf', { build, concurrency: 4, env }),
            );
            log(
              `${named}: ${(m.events / m.seconds).toFixed(0)} events/s, ${m.seconds.toFixed(2)} s, process CPU ${((m.processCpu / m.events) * 1e6).toFixed(1)} µs/event, other work ${otherCores(m).toFixed(2)} cores`,
            );
          } else {
            const m = await sampled(
              stack,
              os,
              named,
              () => measureWorker(proxied, workload, { build, quietCluster: true, env }),
              aws,
            );
            log(
              `${named}: other work ${otherCores(m).toFixed(2)} cores, ${(m.events / m.seconds).toFixed(0)} events/s, ${m.seconds.toFixed(2)} s, upload ${m.worker?.uploadSeconds.toFixed(2)} s, process CPU ${((m.processCpu / m.events) * 1e6).toFixed(1)} µs/event`,
            );
            const mine = aws.calls.slice(awsCalls);
            const kinds = new Set(mine.map((c) => c.kind));
            for (const kind of kinds) {
              log(
                `  LocalStack ${kind}: ms ${quantiles(mine.filter((c) => c.kind === kind).map((c) => c.end - c.start))}`,
              );
            }
          }
        }
      });
    }
  } finally {
    await os.close();
    await aws.close();
    await stack.stop();
  }
}

await main();
