import { describe, expect, it } from 'vitest';
import { type FileResult, FileStatus } from '../../../src/core/file-result.ts';
import type { LogFileRef } from '../../../src/core/log-file-ref.ts';
import { handleNotification, type NotificationDeps } from '../../../src/worker/handle-notification.ts';
import { fileResultOf } from '../../helpers/file-results.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';

const KEY =
  'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/31/111122223333_CloudTrail_us-east-1_20240531T2355Z_abc.json.gz';

function s3Event(keys: readonly string[]): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'trail' }, object: { key } },
    })),
  });
}

function deps(statuses: Record<string, FileStatus> = {}, extra: Partial<NotificationDeps> = {}) {
  const processed: string[] = [];
  const result: NotificationDeps = {
    logger: memoryLogger().logger,
    keyPrefix: '',
    refFor: (object) => ({
      name: `s3://${object.bucket}/${object.key}`,
      key: object.key,
      open: async () => [],
    }),
    async processFile(ref: LogFileRef): Promise<FileResult> {
      processed.push(ref.key);
      const status = statuses[ref.key] ?? FileStatus.Indexed;
      return fileResultOf(ref.name, status);
    },
    ...extra,
  };
  return { deps: result, processed };
}

describe('handleNotification', () => {
  it.each<[string, { a?: FileStatus; b?: FileStatus }, string]>([
    ['every file indexed', {}, 'ack'],
    [
      'a file to retry (it wins over a rejected one)',
      { a: FileStatus.Retry, b: FileStatus.Rejected },
      'leave',
    ],
    ['a rejected file', { b: FileStatus.Rejected }, 'dead-letter'],
  ])('decides from the files: %s', async (_, statuses, action) => {
    const status: Record<string, FileStatus> = {};
    if (statuses.a) status[`${KEY}a`] = statuses.a;
    if (statuses.b) status[`${KEY}b`] = statuses.b;
    const { deps: d } = deps(status);
    const handled = await handleNotification(s3Event([`${KEY}a`, `${KEY}b`]), d);
    expect(handled.decision.action).toBe(action);
  });

  it('dead-letters a body over MAX_MESSAGE_BYTES without parsing it or reading a file', async () => {
    const { deps: d, processed } = deps({}, { maxMessageBytes: 1024 });
    const body = s3Event(Array.from({ length: 20 }, (_, n) => `${KEY}${n}`));
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024);
    const handled = await handleNotification(body, d);
    expect(handled).toMatchObject({
      decision: {
        action: 'dead-letter',
        reason: expect.stringMatching(/bytes, more than MAX_MESSAGE_BYTES \(1024\)/),
      },
      files: [],
      tooLarge: true,
    });
    expect(processed).toEqual([]);
  });

  it('counts bytes, not characters, against MAX_MESSAGE_BYTES', async () => {
    const { deps: d } = deps({}, { maxMessageBytes: 1024 });
    const handled = await handleNotification(`"${'é'.repeat(600)}"`, d);
    expect(handled.tooLarge).toBe(true);
  });

  it('dead-letters an S3 event with an empty Records array', async () => {
    const { deps: d } = deps();
    const handled = await handleNotification('{"Records":[]}', d);
    expect(handled.decision).toEqual({
      action: 'dead-letter',
      reason: expect.stringContaining('empty Records array'),
    });
  });

  it('reads a file named 2,000 times in one message once', async () => {
    const { deps: d, processed } = deps();
    const body = JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: Array.from({ length: 2000 }, () => KEY) });
    const handled = await handleNotification(body, d);
    expect(processed).toEqual([KEY]);
    expect(handled.decision).toEqual({ action: 'ack' });
    expect(handled.notification?.repeated).toBe(1999);
  });

  it('dead-letters a message announcing more distinct objects than MAX_OBJECTS_PER_MESSAGE, reading none', async () => {
    const { deps: d, processed } = deps({}, { maxObjectsPerMessage: 100 });
    const body = JSON.stringify({
      s3Bucket: 'trail',
      s3ObjectKey: Array.from({ length: 101 }, (_, n) => `${KEY}${n}`),
    });
    const handled = await handleNotification(body, d);
    expect(handled).toMatchObject({
      decision: {
        action: 'dead-letter',
        reason: 'message announces 101 objects, more than MAX_OBJECTS_PER_MESSAGE (100): none read',
      },
      tooManyObjects: true,
    });
    expect(processed).toEqual([]);
  });

  it('dead-letters a message whose key holds a newline, naming the key', async () => {
    const { deps: d, processed } = deps();
    const forged = `${KEY}x\ns3://trail/${KEY}`;
    for (const body of [
      JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [forged] }),
      s3Event([encodeURIComponent(forged)]),
    ]) {
      const handled = await handleNotification(body, d);
      expect(handled.decision).toEqual({
        action: 'dead-letter',
        reason: `object key ${JSON.stringify(forged)} contains control characters: no CloudTrail key does, refused`,
      });
    }
    expect(processed).toEqual([]);
  });
});
