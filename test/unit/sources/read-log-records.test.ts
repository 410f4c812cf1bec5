import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import type { ByteSource } from '../../../src/core/byte-source.ts';
import { LogFileError } from '../../../src/core/log-file-error.ts';
import {
  type ReadLogRecordsOptions,
  readLogRecordBatches,
  readLogRecords,
} from '../../../src/sources/read-log-records.ts';
import { RecordsSplitter } from '../../../src/sources/records-splitter.ts';

const LOG = '{"Records":[{"eventID":"a"},{"eventID":"b"},{"eventID":"c"}]}';

async function texts(source: ByteSource, file = 'x.json'): Promise<string[]> {
  const out: string[] = [];
  for await (const record of readLogRecords(source, file)) out.push(record.text);
  return out;
}

async function failure(source: ByteSource, file = 'x.json'): Promise<LogFileError> {
  const error = await texts(source, file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LogFileError);
  return error as LogFileError;
}

/** Splits bytes into chunks of `size`, as a stream would deliver them. */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function* slowly(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await new Promise((resolve) => setImmediate(resolve));
    yield part;
  }
}

const EXPECTED = ['{"eventID":"a"}', '{"eventID":"b"}', '{"eventID":"c"}'];

describe('readLogRecords', () => {
  describe.each([
    { form: 'plain JSON', bytes: Buffer.from(LOG) },
    { form: 'gzip', bytes: gzipSync(LOG) },
    {
      form: 'two concatenated gzip members',
      bytes: Buffer.concat([gzipSync(LOG.slice(0, 30)), gzipSync(LOG.slice(30))]),
    },
  ])('given $form', ({ bytes }) => {
    it.each([1, 2, 7, 64 * 1024])('reads every record from chunks of %i bytes', async (size) => {
      expect(await texts(slowly(chunks(bytes, size)))).toEqual(EXPECTED);
    });
  });

  it('decides gzip by the magic bytes, not by the file name', async () => {
    expect(await texts([gzipSync(LOG)], 'plain-name.json')).toEqual(EXPECTED);
    expect(await texts([Buffer.from(LOG)], 'looks-compressed.json.gz')).toEqual(EXPECTED);
  });

  it('accepts Uint8Array chunks that are not Buffers', async () => {
    expect(await texts([new Uint8Array(Buffer.from(LOG))])).toEqual(EXPECTED);
  });

  it('yields the records in batches, one per decompressed chunk', async () => {
    const batches: number[] = [];
    for await (const batch of readLogRecordBatches(
      [Buffer.from(LOG.slice(0, 30)), Buffer.from(LOG.slice(30))],
      'x',
    )) {
      batches.push(batch.length);
    }
    expect(batches).toEqual([1, 2]);
  });

  it('fails corrupt gzip data as corrupt-gzip, naming the file', async () => {
    const bytes = gzipSync(LOG);
    bytes[20] = (bytes[20] ?? 0) ^ 0xff;
    bytes[21] = (bytes[21] ?? 0) ^ 0xff;
    const error = await failure([bytes], 'bucket/key.json.gz');
    expect(error.reason).toBe('corrupt-gzip');
    expect(error.message).toMatch(/^bucket\/key\.json\.gz: gzip data does not decompress/);
  });

  it('names the stored bytes read, not a bogus "(byte 0)", for trailing garbage after a gzip member', async () => {
    const bytes = Buffer.concat([gzipSync(LOG), Buffer.from('garbage!')]);
    const error = await failure([bytes]);
    expect(error.reason).toBe('corrupt-gzip');
    expect(error.message).toBe(
      `x.json: gzip data does not decompress (incorrect header check) within the first ${bytes.length} bytes of the file as stored`,
    );
  });

  it('fails a truncated gzip file as corrupt-gzip', async () => {
    const bytes = gzipSync(LOG);
    expect((await failure([bytes.subarray(0, bytes.length - 12)])).reason).toBe('corrupt-gzip');
  });

  it('fails a truncated plain file as truncated, with the offset where it ends', async () => {
    expect(await failure([Buffer.from(LOG.slice(0, 40))])).toMatchObject({
      reason: 'truncated',
      byteOffset: 40,
      recordNumber: 2,
    });
  });

  it('reports a failing byte stream as read-failed, keeping the cause', async () => {
    const cause = new Error('connection reset');
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(LOG.slice(0, 20));
      throw cause;
    }
    const error = await failure(broken());
    expect(error).toMatchObject({ reason: 'read-failed' });
    expect(error.cause).toBe(cause);
    async function* brokenGzip(): AsyncGenerator<Uint8Array> {
      yield gzipSync(LOG).subarray(0, 15);
      throw cause;
    }
    expect(await failure(brokenGzip())).toMatchObject({ reason: 'read-failed' });
  });

  it('stops reading the source when the consumer stops early', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (const part of chunks(
          gzipSync(LOG.repeat(1).replace('"c"}', '"c"}'.padEnd(200_000, ' '))),
          100,
        )) {
          yield part;
        }
      } finally {
        finished = true;
      }
    }
    for await (const record of readLogRecords(source(), 'x')) {
      expect(record.recordNumber).toBe(1);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(true);
  });

  describe('bounds on hostile files', () => {
    async function readFailure(source: ByteSource, options: ReadLogRecordsOptions): Promise<LogFileError> {
      const error = await (async () => {
        for await (const _ of readLogRecordBatches(source, 'x.json.gz', options));
      })().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LogFileError);
      return error as LogFileError;
    }

    it('refuses a top-level key name beside Records longer than 1 KiB, before holding it', async () => {
      const bomb = gzipSync(`{"${'k'.repeat(8 * 1024 * 1024)}":1,"Records":[]}`);
      const error = await readFailure([bomb], {});
      expect(error.reason).toBe('not-cloudtrail');
      expect(error.message).toMatch(/a top-level key name is longer than 1024 bytes/);
      expect(error.byteOffset).toBeLessThanOrEqual(128 * 1024);
    });

    it('refuses a file that inflates past maxDecompressedBytes (a gzip bomb of whitespace)', async () => {
      const bomb = gzipSync(
        Buffer.concat([Buffer.from('{"Records":['), Buffer.alloc(32 * 1024 * 1024, 0x20)]),
      );
      expect(bomb.length).toBeLessThan(64 * 1024);
      const error = await readFailure([bomb], { maxDecompressedBytes: 4 * 1024 * 1024 });
      expect(error).toMatchObject({ reason: 'decompressed-too-large', byteOffset: 4 * 1024 * 1024 });
      expect(error.message).toMatch(/decompresses to more than 4194304 bytes \(MAX_DECOMPRESSED_BYTES\)/);
    });

    it('stops a read that takes longer than maxReadSeconds, not counting time held by the consumer', async () => {
      let clock = 0;
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('{"Records":[');
        for (let i = 0; i < 10; i++) {
          clock += 1000;
          yield Buffer.from(' ');
        }
      }
      const error = await readFailure(slow(), { maxReadSeconds: 5, now: () => clock });
      expect(error.reason).toBe('read-too-slow');
      // Time spent by the consumer between batches is not the file's.
      const held: string[] = [];
      for await (const batch of readLogRecordBatches([Buffer.from(LOG)], 'x', {
        maxReadSeconds: 5,
        now: () => clock,
      })) {
        clock += 60_000;
        held.push(...batch.map((record) => record.text));
      }
      expect(held).toEqual(EXPECTED);
    });

    it('makes any other error of the content permanent (unreadable), never a retried read-failed', async () => {
      // Stands for any bug or engine limit the content trips (a string too long for V8, say).
      const push = vi.spyOn(RecordsSplitter.prototype, 'push').mockImplementation(() => {
        throw new RangeError('Invalid string length');
      });
      const error = await readFailure([Buffer.from(LOG)], {}).finally(() => push.mockRestore());
      expect(error.reason).toBe('unreadable');
      expect(error.message).toMatch(/RangeError: Invalid string length/);
    });
  });
});
