import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LogFileRef } from '../../../src/core/log-file-ref.ts';
import type { DocumentSink, Documents, FileWriteResult } from '../../../src/core/sink-port.ts';
import { processLogFile } from '../../../src/pipeline/process-log-file.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../src/pipeline/transform-log-file.ts';
import { sleep } from '../../../src/sinks/opensearch/backoff.ts';
import { writeDocuments } from '../../../src/sinks/opensearch/bulk-writer.ts';
import { s3LogFileRef } from '../../../src/sources/s3/s3-log-file-ref.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';
import { FakeOpenSearch, throttled, writerDeps } from '../sinks/opensearch/fake-opensearch.ts';

const KEY =
  'AWSLogs/123456789012/CloudTrail/us-east-1/2024/06/01/123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz';

/** A sink that accepts everything and keeps what it was given. */
function acceptingSink(): DocumentSink & {
  bodies: Array<{ index: string; id: string; body: string }>;
} {
  const bodies: Array<{ index: string; id: string; body: string }> = [];
  return {
    bodies,
    async writeFile(documents: Documents, context): Promise<FileWriteResult> {
      const indexes = new Set<string>();
      for await (const document of documents) {
        bodies.push(document);
        indexes.add(document.index);
      }
      return {
        file: context.file,
        ok: true,
        accepted: bodies.length,
        repaired: 0,
        failed: [],
        interrupted: 0,
        conflicts: [],
        unchanged: 0,
        indexes: [...indexes].sort(),
        blocked: false,
        aborted: false,
      };
    },
  };
}

function refOf(records: readonly unknown[] | string, key = KEY): LogFileRef {
  const text = typeof records === 'string' ? records : JSON.stringify({ Records: records });
  return { name: `s3://bucket/${key}`, key, bucket: 'bucket', open: async () => [gzipSync(text)] };
}

const deps = (sink: DocumentSink) => ({
  sink,
  transform: DEFAULT_TRANSFORM_OPTIONS,
  logger: pino({ level: 'silent' }),
});

describe('processLogFile on hostile content', () => {
  it('indexes the events of a mapping bomb with their keys folded, then rejects the file with the reason', async () => {
    const sink = acceptingSink();
    const records = Array.from({ length: 12 }, (_, i) => ({
      eventTime: '2024-06-01T00:00:00Z',
      eventID: `e-${i}`,
      [`${i}${'k'.repeat(1024 * 1024)}`]: 1,
    }));
    const result = await processLogFile(refOf(records), deps(sink));
    expect(result.status).toBe('rejected');
    expect(result.failure).toBe('folded-keys');
    expect(result.events).toBe(12);
    expect(result.reason).toMatch(
      /^folded-keys: hostile content: 12 of 12 events had hostile top-level keys .* \(first: record 1\)/,
    );
    for (const { body } of sink.bodies) {
      expect(Object.keys(JSON.parse(body))).toEqual([
        'eventTime',
        'eventID',
        'indexerFolded',
        'indexerFlags',
      ]);
    }
  });

  it('routes a century of eventTimes to the few months around the delivery, then rejects the file', async () => {
    const sink = acceptingSink();
    const records = Array.from({ length: 1200 }, (_, i) => ({
      eventTime: new Date(Date.UTC(1925, 0, 1) + i * 30 * 86_400_000).toISOString(),
      eventID: `e-${i}`,
    }));
    const result = await processLogFile(refOf(records), deps(sink));
    expect(result.status).toBe('rejected');
    expect(result.failure).toBe('event-time-outside-window');
    expect(result.indexes.length).toBeLessThanOrEqual(3);
    expect(result.events).toBe(1200);
    expect(result.flagged?.['event-time-outside-window']).toBeGreaterThan(1190);
  });

  it('indexes a file whose events name another account, reporting the count only', async () => {
    const sink = acceptingSink();
    const records = [
      { eventTime: '2024-06-01T00:00:00Z', eventID: 'e-1', recipientAccountId: '999999999999' },
    ];
    const result = await processLogFile(refOf(records), deps(sink));
    expect(result.status).toBe('indexed');
    expect(result.flagged).toEqual({ 'account-mismatch': 1 });
  });

  it('refuses a key holding a control character before reading it (a backfill listing can hold one)', async () => {
    const sink = acceptingSink();
    let opened = false;
    const key = `${KEY}\ns3://bucket/${KEY}`;
    const ref = {
      ...refOf([], key),
      open: async () => {
        opened = true;
        return [];
      },
    };
    const result = await processLogFile(ref, deps(sink));
    expect(result).toMatchObject({
      status: 'rejected',
      failure: 'key-control-characters',
      reason: `key-control-characters: the key ${JSON.stringify(key)} contains control characters: no CloudTrail key does, refused`,
    });
    expect(opened).toBe(false);
  });

  it('rejects an object S3 refuses to show (a foreign bucket) at once, instead of retrying it', async () => {
    const s3 = {
      send: async () => {
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      },
    } as unknown as S3Client;
    const result = await processLogFile(
      s3LogFileRef(s3, { bucket: 'someone-else', key: KEY }, { maxBytes: 1024 }),
      deps(acceptingSink()),
    );
    expect(result).toMatchObject({ status: 'rejected', failure: 'object-access-denied' });
    expect(result.reason).toMatch(
      /^object-access-denied: s3:\/\/someone-else\/AWSLogs\/.* access denied \(AccessDenied\)/,
    );
  });
});

describe('processLogFile when shutdown comes during a backoff wait on a throttled cluster', () => {
  it('reports the waiting events as interrupted, not as refused by OpenSearch', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => docs.map(() => throttled);
    const stop = new AbortController();
    const { deps: writer } = writerDeps(fake);
    const counters = writer.counters;
    const sink: DocumentSink = {
      writeFile: (documents, context) =>
        writeDocuments(
          documents,
          context,
          {
            ...writer,
            // A wait far longer than the test, which only the abort (the grace period's end) cuts short.
            policies: {
              ...writer.policies,
              transient: { maxRetries: 3, baseDelayMs: 600_000, maxDelayMs: 600_000 },
            },
            sleep: async (ms, signal) => {
              setImmediate(() => stop.abort());
              await sleep(ms, signal);
            },
          },
          { maxBytes: 1_000_000, maxDocuments: 100 },
        ),
    };
    const { logger, records } = memoryLogger('info');
    const events = Array.from({ length: 4 }, (_, i) => ({
      eventTime: '2024-06-01T00:00:00Z',
      eventID: `e-${i}`,
    }));
    const result = await processLogFile(refOf(events), { ...deps(sink), logger }, stop.signal);

    expect(result).toMatchObject({
      status: 'retry',
      failure: 'interrupted',
      events: 0,
      failed: 0,
      interrupted: 4,
    });
    expect(records().filter((record) => record.msg === 'document not indexed')).toEqual([]);
    const summary = records().find((record) => record.msg === 'log file will be retried');
    expect(summary).toMatchObject({ outcome: 'retry', failed: 0, interrupted: 4 });
    expect(summary?.reason).toMatch(/shutdown/);
    expect(counters).toMatchObject({ documentsInterrupted: 4, documentsFailed: 0, throttled: 4 });
  });
});
