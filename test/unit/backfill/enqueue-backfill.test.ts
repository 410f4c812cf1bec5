import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../src/backfill/checkpoint.ts';
import {
  type BatchEntry,
  type BatchFailure,
  enqueueBackfill,
} from '../../../src/backfill/enqueue-backfill.ts';
import {
  BACKFILL_CONFIGURATION_ID,
  s3EventNotification,
} from '../../../src/backfill/s3-event-notification.ts';
import type { SelectedFile } from '../../../src/backfill/selected-files.ts';
import { decodeNotification } from '../../../src/sources/s3/decode-notification.ts';

const file = (n: number): SelectedFile => {
  const key = `AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/31/111111111111_CloudTrail_us-east-1_20240531T0000Z_${n}.json.gz`;
  return {
    name: `s3://trail/${key}`,
    key,
    size: 100,
    object: { bucket: 'trail', key, size: 100, eTag: 'abc' },
    ref: () => {
      throw new Error('not read here');
    },
  };
};
async function* stream(count: number): AsyncGenerator<SelectedFile> {
  for (let n = 0; n < count; n++) yield file(n);
}
const silentProgress = { update() {}, stop() {} };

describe('s3EventNotification', () => {
  it('is an S3 event the worker decodes back to the same bucket, key and size, whatever the key holds', () => {
    // Control characters are refused by the decoder (issue 17), so none here.
    const key = 'AWSLogs/x/a b+c/ü%20(1)=&?.json.gz';
    const body = s3EventNotification({ bucket: 'trail', key, size: 7, eTag: 'e' }, { region: 'eu-west-1' });
    expect(decodeNotification(body)).toMatchObject({
      format: 's3-event',
      objects: [{ bucket: 'trail', key, size: 7 }],
    });
    const record = (JSON.parse(body) as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: BACKFILL_CONFIGURATION_ID,
        bucket: { name: 'trail', arn: 'arn:aws:s3:::trail' },
        object: { size: 7, eTag: 'e' },
      },
    });
    expect(record?.s3.object.key).toBe('AWSLogs/x/a+b%2Bc/%C3%BC%2520(1)%3D%26%3F.json.gz');
  });
});

describe('enqueueBackfill', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enqueue-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends batches of 10 only while the backlog is under the bound, and records each accepted file', async () => {
    let queue = 0;
    let maxQueue = 0;
    const batches: number[] = [];
    const checkpoint = await Checkpoint.open(join(dir, 'ckpt'));
    const summary = await enqueueBackfill(stream(95), {
      async sendBatch(entries) {
        batches.push(entries.length);
        queue += entries.length;
        maxQueue = Math.max(maxQueue, queue);
        return [];
      },
      async backlog() {
        return queue;
      },
      notification: (f) => f.name,
      maxBacklog: 30,
      checkpoint,
      concurrency: 2,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
      // The workers drain 15 messages each time the backfill waits.
      sleep: async () => {
        queue = Math.max(0, queue - 15);
      },
    });
    expect(summary).toMatchObject({ selected: 95, enqueued: 95, failed: [], interrupted: false });
    expect(batches.every((size) => size <= 10)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(95);
    expect(maxQueue).toBeLessThanOrEqual(30 + 10);
    await checkpoint.close();
    expect((await Checkpoint.open(join(dir, 'ckpt'))).size).toBe(95);
  });

  it('retries entries SQS refused for its own reasons, and lists those it refused for theirs', async () => {
    const attempts = new Map<string, number>();
    const summary = await enqueueBackfill(stream(10), {
      async sendBatch(entries: readonly BatchEntry[]): Promise<BatchFailure[]> {
        const failures: BatchFailure[] = [];
        for (const entry of entries) {
          const seen = (attempts.get(entry.body) ?? 0) + 1;
          attempts.set(entry.body, seen);
          if (entry.body.endsWith('_3.json.gz') && seen < 3)
            failures.push({ id: entry.id, reason: 'ServiceUnavailable: slow down', retry: true });
          if (entry.body.endsWith('_7.json.gz'))
            failures.push({ id: entry.id, reason: 'InvalidParameterValue: bad body', retry: false });
        }
        return failures;
      },
      backlog: async () => 0,
      notification: (f) => f.name,
      maxBacklog: 1000,
      checkpoint: await Checkpoint.open(join(dir, 'ckpt')),
      concurrency: 1,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
      sleep: async () => {},
    });
    expect(summary.enqueued).toBe(9);
    expect(summary.failed).toEqual([
      { file: file(7).name, reason: 'not enqueued: InvalidParameterValue: bad body' },
    ]);
    expect(attempts.get(file(3).name)).toBe(3);
  });

  it('skips what a previous run enqueued', async () => {
    const path = join(dir, 'ckpt');
    const first = await Checkpoint.open(path);
    for (let n = 0; n < 4; n++) await first.markDone(file(n).name);
    await first.close();
    const sent: string[] = [];
    const summary = await enqueueBackfill(stream(6), {
      async sendBatch(entries) {
        sent.push(...entries.map((e) => e.body));
        return [];
      },
      backlog: async () => 0,
      notification: (f) => f.name,
      maxBacklog: 1000,
      checkpoint: await Checkpoint.open(path),
      concurrency: 1,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
    });
    expect(summary).toMatchObject({ selected: 6, alreadyDone: 4, enqueued: 2 });
    expect(sent).toEqual([file(4).name, file(5).name]);
  });
});
