import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';
import { type HostileCase, type HostileScale, hostileCorpus } from '../../hostile/hostile-corpus.ts';

const stack = stackEnv();
/**
 * CI runs the small corpus, with MAX_DECOMPRESSED_BYTES at 64 MiB for its 256 MB gzip bomb;
 * `HOSTILE_SCALE=full` runs the sizes of the issue (10 MB key names, 300 MB root key, 20 GB of
 * whitespace) against the defaults, for the figures in test/faults/README.md.
 */
const SCALE: HostileScale = process.env.HOSTILE_SCALE === 'full' ? 'full' : 'ci';
const BOUNDS: Record<string, string> =
  SCALE === 'ci' ? { MAX_DECOMPRESSED_BYTES: String(64 * 1024 * 1024) } : {};

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  return (await (await fetch(url, init)).json()) as T;
}

async function countWithPrefix(pattern: string, prefix: string): Promise<number> {
  await fetch(`${stack.OPENSEARCH_URL}/${pattern}/_refresh`, { method: 'POST' });
  const body = await json<{ count?: number }>(`${stack.OPENSEARCH_URL}/${pattern}/_count`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { prefix: { eventID: prefix } } }),
  });
  return body.count ?? 0;
}

/** Field names of an index mapping, with their depth: what a mapping bomb would have grown. */
function mappedFields(mapping: Record<string, unknown>): {
  count: number;
  longestName: number;
  depth: number;
} {
  let count = 0;
  let longestName = 0;
  let depth = 0;
  const walk = (
    properties: Record<string, { properties?: Record<string, unknown> }>,
    level: number,
  ): void => {
    for (const [name, node] of Object.entries(properties)) {
      count++;
      longestName = Math.max(longestName, name.length);
      depth = Math.max(depth, level);
      if (node.properties) walk(node.properties as typeof properties, level + 1);
    }
  };
  walk((mapping.properties ?? {}) as Record<string, { properties?: Record<string, unknown> }>, 1);
  return { count, longestName, depth };
}

/** Each rejected or indexed file's duration, from the worker's summary lines. */
function fileDurations(worker: CliProcess): string[] {
  return worker
    .logs()
    .filter((line) => line.msg === 'log file rejected' || line.msg === 'log file indexed')
    .map(
      (line) =>
        `${String(line.key).slice(-60)}: ${line.outcome} in ${line.durationMs} ms, ${line.events} events`,
    );
}

function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Math.round(Number(line.replace(/\D+/g, '')) / 1024) : undefined;
}

describe('the hostile corpus through the worker, against real OpenSearch and LocalStack', () => {
  let fixture: QueueFixture;
  let worker: CliProcess;
  const cases = hostileCorpus(SCALE);
  const started = Date.now();

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'hostile');
    worker = startCli(['worker'], fixture.workerEnv({ ...BOUNDS, LOG_LEVEL: 'info' }));
    await worker.waitForLog((line) => line.msg === 'worker started');
  });

  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const keyOf = (key: string): string => key.replaceAll('{bucket}', fixture.bucket);

  async function deliver(hostile: HostileCase): Promise<void> {
    for (const object of hostile.objects) {
      await fixture.s3.send(
        new PutObjectCommand({ Bucket: fixture.bucket, Key: keyOf(object.key), Body: object.body }),
      );
    }
    for (const message of hostile.messages ?? [])
      await fixture.send(message.replaceAll('{bucket}', fixture.bucket));
  }

  it('keeps the cluster green, opens only the indexes the corpus implies, and dead-letters each attack with its reason', {
    timeout: SCALE === 'full' ? 1_800_000 : 300_000,
  }, async () => {
    // Every upload is announced by its S3 notification; some cases add messages of their own.
    for (const hostile of cases.filter((c) => c.after === undefined)) await deliver(hostile);
    const victim = cases.find((c) => c.kind === 'cross-file overwrite')!;
    await worker.waitForLog(
      (line) => line.msg === 'log file indexed' && String(line.key) === keyOf(victim.objects[0]!.key),
      120_000,
    );
    for (const hostile of cases.filter((c) => c.after !== undefined)) await deliver(hostile);

    const expectedDead = cases.reduce((sum, c) => sum + c.deadLetters, 0);
    const dead = new Map<string, string>();
    const deadline = Date.now() + (SCALE === 'full' ? 1_500_000 : 240_000);
    while (dead.size < expectedDead && Date.now() < deadline) {
      for (const message of await fixture.deadLetters())
        dead.set(message.MessageId as string, message.MessageAttributes?.reason?.StringValue ?? '');
    }
    // Nothing else arrives later: the queue is empty and nothing is in flight.
    const settle = Date.now() + 60_000;
    for (;;) {
      const depth = await fixture.queueDepth();
      if ((depth.visible === 0 && depth.inFlight === 0) || Date.now() > settle) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    for (const message of await fixture.deadLetters())
      dead.set(message.MessageId as string, message.MessageAttributes?.reason?.StringValue ?? '');
    const reasons = [...dead.values()];
    const elapsedSeconds = Math.round((Date.now() - started) / 1000);

    const pattern = `${fixture.indexPrefix}-*`;
    const rows: string[] = [];
    const actual: Array<{ kind: string; indexed: number; inDlq: number }> = [];
    const wanted: typeof actual = [];
    for (const hostile of cases.filter((c) => c.description !== '')) {
      const indexed = await countWithPrefix(pattern, hostile.eventIdPrefix);
      // Several cases share a reason: a dead letter naming files belongs to the case of their account.
      const account =
        /AWSLogs\/(\d{12})\//.exec(hostile.objects[0]?.key ?? hostile.messages?.[0] ?? '')?.[1] ?? '';
      const inDlq = hostile.reason
        ? reasons.filter(
            (reason) =>
              reason.includes(hostile.reason!) && (reason.includes(account) || !reason.includes('s3://')),
          ).length
        : 0;
      rows.push(
        `| ${hostile.kind} | ${hostile.objects.length} | ${hostile.indexedEvents} | ${indexed} | ${inDlq} of ${hostile.deadLetters} |`,
      );
      actual.push({ kind: hostile.kind, indexed, inDlq });
      wanted.push({ kind: hostile.kind, indexed: hostile.indexedEvents, inDlq: hostile.deadLetters });
    }
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      process.stdout.write(`\n${rows.join('\n')}\ndead letters:\n${reasons.join('\n')}\n`);
    }
    expect(actual).toEqual(wanted);
    expect(reasons).toHaveLength(expectedDead);

    // The forged events did not replace the victim's: the real principal is still there, version 1.
    const original = await json<{ _version: number; _source: { userIdentity: { userName: string } } }>(
      `${stack.OPENSEARCH_URL}/${fixture.indexPrefix}-2024-06/_doc/hostile-overwrite-0`,
    );
    expect(original._version).toBe(1);
    expect(original._source.userIdentity.userName).toBe('alice');

    // Every index the corpus implies, and no other.
    const indexes = (
      await json<Array<{ index: string }>>(`${stack.OPENSEARCH_URL}/_cat/indices/${pattern}?format=json`)
    )
      .map((entry) => entry.index)
      .sort();
    const implied = [...new Set(cases.flatMap((c) => c.months))].map(
      (month) => `${fixture.indexPrefix}-${month}`,
    );
    expect(indexes).toEqual(implied.sort());

    // The mapping stayed small: no field name past the template's limit, no depth past its limit.
    const mappings = await json<Record<string, { mappings: Record<string, unknown> }>>(
      `${stack.OPENSEARCH_URL}/${pattern}/_mapping`,
    );
    for (const [index, { mappings: mapping }] of Object.entries(mappings)) {
      const fields = mappedFields(mapping);
      expect({ index, ...fields, small: fields.count < 400 && fields.longestName <= 256 }).toMatchObject({
        index,
        small: true,
      });
      expect(fields.depth).toBeLessThanOrEqual(20);
    }

    const health = await json<{ status: string; unassigned_shards: number }>(
      `${stack.OPENSEARCH_URL}/_cluster/health/${pattern}`,
    );
    expect(health.status).toBe('green');
    expect(await countDocuments(stack.OPENSEARCH_URL, pattern)).toBe(
      cases.reduce((sum, c) => sum + c.indexedEvents, 0),
    );
    expect(worker.child.exitCode).toBeNull();
    const summary = [
      '| kind | files | events expected | indexed | in the DLQ |',
      '|---|---|---|---|---|',
      ...rows,
      `${SCALE} scale: cluster ${health.status}, ${indexes.length} indexes (${indexes.join(', ')}), ${elapsedSeconds} s, worker peak RSS ${peakRssMb(worker.child.pid)} MB`,
      ...fileDurations(worker),
    ].join('\n');
    process.stdout.write(`\n${summary}\n`);
  });
});
