import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTrailFile, cloudTrailFile, distinctIds } from '../../helpers/cloudtrail-files.ts';
import { corpusPath } from '../../helpers/corpus.ts';
import { countDocuments, documentIds, waitForCount } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const invictus = corpusPath('logs/invictus-ir_aws_dataset/CloudTrail');
const corpusFiles = readdirSync(invictus)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => cloudTrailFile(`${invictus}/${name}`));

describe('the worker, as its own process, against real LocalStack and OpenSearch', () => {
  let fixture: QueueFixture;
  let worker: CliProcess;

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'worker');
    worker = startCli(['worker'], fixture.workerEnv());
    await worker.waitForLog((line) => line.msg === 'worker started');
  });

  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const pattern = (): string => `${fixture.indexPrefix}-*`;

  it('indexes every event of every uploaded file, exactly once', async () => {
    const files = corpusFiles.slice(0, 12);
    for (const file of files) await fixture.upload(file);
    const expected = distinctIds(files).size;
    expect(await waitForCount(stack.OPENSEARCH_URL, pattern(), expected)).toBe(expected);
    const ids = await documentIds(stack.OPENSEARCH_URL, pattern());
    expect(new Set(ids)).toEqual(distinctIds(files));
    await expect.poll(() => fixture.queueDepth(), { timeout: 20_000 }).toEqual({ visible: 0, inFlight: 0 });
  });

  it('adds no duplicate when the same notification is delivered again', async () => {
    const file = corpusFiles[0] as CloudTrailFile;
    const before = await countDocuments(stack.OPENSEARCH_URL, pattern());
    const notification = s3Notification(fixture.bucket, file.key);
    await fixture.send(notification);
    await fixture.send(notification);
    await worker.waitForLog(
      (line) =>
        line.msg === 'log file indexed' &&
        String(line.file).endsWith(file.key) &&
        countOf(worker, file.key) >= 3,
    );
    expect(await countDocuments(stack.OPENSEARCH_URL, pattern())).toBe(before);
  });

  it.each([
    [
      'a CloudTrail SNS notification',
      (bucket: string, key: string) => JSON.stringify({ s3Bucket: bucket, s3ObjectKey: [key] }),
    ],
    [
      'an S3 notification inside an SNS envelope',
      (bucket: string, key: string) =>
        JSON.stringify({ Type: 'Notification', Message: s3Notification(bucket, key) }),
    ],
    [
      'an EventBridge Object Created event',
      (bucket: string, key: string) =>
        JSON.stringify({
          version: '0',
          'detail-type': 'Object Created',
          source: 'aws.s3',
          time: new Date().toISOString(),
          detail: { bucket: { name: bucket }, object: { key, size: 1 } },
        }),
    ],
  ])('indexes a file announced by %s', async (_format, body) => {
    const file = corpusFiles[20 + formatIndex++] as CloudTrailFile;
    // Uploaded under a key outside the bucket notification's AWSLogs/ filter, so only our message announces it.
    const quiet = { ...file, key: `manual/${file.key}` };
    await fixture.upload(quiet);
    const before = await countDocuments(stack.OPENSEARCH_URL, pattern());
    await fixture.send(body(fixture.bucket, quiet.key));
    await worker.waitForLog(
      (line) => line.msg === 'log file indexed' && String(line.file).endsWith(quiet.key),
    );
    expect(await countDocuments(stack.OPENSEARCH_URL, pattern())).toBe(before + new Set(file.eventIds).size);
  });

  it('serves liveness, readiness and Prometheus metrics on the health port', async () => {
    const port = (await worker.waitForLog((line) => line.msg === 'health endpoints listening'))
      .port as number;
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/cloudtrail_indexer_files_total\{outcome="indexed"\} [1-9]/);
    expect(metrics).toMatch(/cloudtrail_indexer_events_indexed_total [1-9]/);
  });

  it('indexes nothing while paused, and everything once resumed', async () => {
    const file = corpusFiles[40] as CloudTrailFile;
    const env = fixture.workerEnv();
    const pause = startCli(['pause', '--reason', 'cluster upgrade test'], env);
    expect(await pause.exited).toBe(0);
    await worker.waitForLog((line) => line.msg === 'ingestion paused: not receiving messages', 30_000);
    // A long poll already under way (20 s at most) may still deliver; wait it out, then upload.
    await new Promise((resolve) => setTimeout(resolve, 21_000));
    const before = await countDocuments(stack.OPENSEARCH_URL, pattern());
    await fixture.upload(file);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await countDocuments(stack.OPENSEARCH_URL, pattern())).toBe(before);
    expect((await fixture.queueDepth()).visible).toBe(1);

    const resume = startCli(['resume'], env);
    expect(await resume.exited).toBe(0);
    const expected = before + new Set(file.eventIds).size;
    expect(await waitForCount(stack.OPENSEARCH_URL, pattern(), expected, 60_000)).toBe(expected);
  });

  it('moves poison messages to the dead-letter queue with their reason and keeps indexing the rest', async () => {
    const good = corpusFiles[30] as CloudTrailFile;
    const before = await countDocuments(stack.OPENSEARCH_URL, pattern());
    await fixture.send('this is not json');
    await fixture.send(JSON.stringify({ hello: 'world' }));
    await fixture.send(
      s3Notification(
        fixture.bucket,
        'AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/111122223333_CloudTrail_us-east-1_20240101T0000Z_missing.json.gz',
      ),
    );
    await fixture.upload(good);
    expect(await waitForCount(stack.OPENSEARCH_URL, pattern(), before + new Set(good.eventIds).size)).toBe(
      before + new Set(good.eventIds).size,
    );
    await worker.waitForLog(
      (line) =>
        line.msg === 'message moved to the dead-letter queue' &&
        String(line.files).includes('_missing.json.gz'),
    );
    const dead = await collectDeadLetters(fixture, 3);
    const bodies = dead.map((m) => m.Body ?? '');
    expect(bodies).toHaveLength(3);
    expect(bodies).toContain('this is not json');
    expect(bodies).toContain(JSON.stringify({ hello: 'world' }));
    expect(bodies.some((body) => body.includes('_missing.json.gz'))).toBe(true);
    for (const message of dead) expect(message.MessageAttributes?.reason?.StringValue).toBeTruthy();
  });
});

let formatIndex = 0;

function s3Notification(bucket: string, key: string): string {
  return JSON.stringify({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: {
          bucket: { name: bucket },
          object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), size: 1 },
        },
      },
    ],
  });
}

function countOf(worker: CliProcess, key: string): number {
  return worker.logs().filter((line) => line.msg === 'log file indexed' && String(line.file).endsWith(key))
    .length;
}

async function collectDeadLetters(fixture: QueueFixture, expected: number) {
  const seen = new Map<string, Awaited<ReturnType<QueueFixture['deadLetters']>>[number]>();
  const deadline = Date.now() + 30_000;
  while (seen.size < expected && Date.now() < deadline) {
    for (const message of await fixture.deadLetters()) seen.set(message.MessageId as string, message);
  }
  return [...seen.values()];
}
