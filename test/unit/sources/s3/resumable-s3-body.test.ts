import { Readable } from 'node:stream';
import type { GetObjectCommand, GetObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { DocumentSink, Documents, FileWriteResult } from '../../../../src/core/sink-port.ts';
import { processLogFile } from '../../../../src/pipeline/process-log-file.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../../src/pipeline/transform-log-file.ts';
import { readLogRecords } from '../../../../src/sources/read-log-records.ts';
import { openS3Object } from '../../../../src/sources/s3/open-s3-object.ts';
import { resumeBackoffMs } from '../../../../src/sources/s3/resumable-s3-body.ts';
import { s3LogFileRef } from '../../../../src/sources/s3/s3-log-file-ref.ts';
import { memoryLogger } from '../../../helpers/memory-logger.ts';
import { syntheticLogFile } from '../../../helpers/synthetic-log.ts';

const BUCKET = 'trail';
const ETAG = '"0123456789abcdef0123456789abcdef"';

/** What the fake S3 does with one GetObject, in order; a GET past the list serves its range whole. */
interface Answer {
  /** Throw this instead of answering (an SDK error). */
  readonly error?: unknown;
  /** The body ends with `breakWith` after this many bytes of the range asked for. */
  readonly breakAfter?: number;
  readonly breakWith?: unknown;
  /** Answer a ranged GET as a server ignoring Range would: the whole object, no Content-Range. */
  readonly ignoreRange?: boolean;
}

/** Node's own error when a response's connection closes before its end (IncomingMessage 'aborted'). */
const connectionReset = (): Error => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

const sdkError = (name: string, status: number): Error =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** A stand-in for the S3 client: `send` answers GetObject for one object and records each input. */
function fakeS3(object: Buffer, answers: Answer[]) {
  const inputs: GetObjectCommandInput[] = [];
  const client = {
    async send(command: GetObjectCommand) {
      inputs.push(command.input);
      const answer = answers.shift() ?? {};
      if (answer.error) throw answer.error;
      const range = command.input.Range && !answer.ignoreRange ? command.input.Range : undefined;
      const start = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1]) : 0;
      const bytes = object.subarray(start);
      const sent = bytes.subarray(0, answer.breakAfter ?? bytes.length);
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let at = 0; at < sent.length; at += 1000) yield sent.subarray(at, at + 1000);
        if (answer.breakAfter !== undefined) throw answer.breakWith ?? connectionReset();
      }
      return {
        Body: Readable.from(chunks(), { objectMode: false }),
        ETag: ETAG,
        ContentLength: bytes.length,
        ContentRange: range ? `bytes ${start}-${object.length - 1}/${object.length}` : undefined,
        $metadata: { httpStatusCode: range ? 206 : 200 },
      };
    },
  };
  return { s3: client as unknown as S3Client, inputs };
}

async function readAll(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const noWait = () => 0;
const OBJECT = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

describe('an S3 object read that breaks off midway', () => {
  it('asks for exactly the rest of the same object and yields every byte once, logging the resume', async () => {
    const { s3, inputs } = fakeS3(OBJECT, [{ breakAfter: 3000 }]);
    const { logger, records } = memoryLogger('info');
    const source = await openS3Object(s3, { bucket: BUCKET, key: 'k.json.gz' }, { maxBytes: 1e9, logger });
    expect((await readAll(source)).equals(OBJECT)).toBe(true);
    expect(inputs).toEqual([
      { Bucket: BUCKET, Key: 'k.json.gz' },
      { Bucket: BUCKET, Key: 'k.json.gz', Range: 'bytes=3000-', IfMatch: ETAG },
    ]);
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({
      level: 'warn',
      bucket: BUCKET,
      key: 'k.json.gz',
      offset: 3000,
      size: OBJECT.length,
      attempt: 1,
      err: { message: 'aborted', code: 'ECONNRESET' },
      msg: 'S3 object read broke off, resuming where it stopped',
    });
  });

  it('goes on as long as each resume gets further, however often the body breaks', async () => {
    // Six breaks, more than the four resumes allowed in a row: each brings 1,000 more bytes.
    const { s3, inputs } = fakeS3(
      OBJECT,
      Array.from({ length: 7 }, () => ({ breakAfter: 1000 })),
    );
    const { logger, records } = memoryLogger('info');
    const stats = { resumes: 0 };
    const source = await openS3Object(s3, { bucket: BUCKET, key: 'k' }, { maxBytes: 1e9, logger, stats });
    expect((await readAll(source)).equals(OBJECT)).toBe(true);
    // Every resume counted, not only those of the last row: one per warn line, one more GET each.
    expect(stats.resumes).toBe(7);
    expect(inputs.map((input) => input.Range)).toEqual([
      undefined,
      ...[1000, 2000, 3000, 4000, 5000, 6000, 7000].map((at) => `bytes=${at}-`),
    ]);
    expect(records().map((line) => [line.offset, line.attempt])).toEqual(
      [1000, 2000, 3000, 4000, 5000, 6000, 7000].map((at) => [at, 1]),
    );
  });

  it('retries a resume S3 does not answer, with growing waits, and counts a body broken before its first byte as no progress', async () => {
    const { s3, inputs } = fakeS3(OBJECT, [
      { breakAfter: 2500 },
      { error: sdkError('ServiceUnavailable', 503) },
      { breakAfter: 0 },
      {},
    ]);
    const { logger, records } = memoryLogger('info');
    const source = await openS3Object(
      s3,
      { bucket: BUCKET, key: 'k' },
      { maxBytes: 1e9, logger, backoffMs: noWait },
    );
    expect((await readAll(source)).equals(OBJECT)).toBe(true);
    expect(inputs.map((input) => input.Range)).toEqual([
      undefined,
      'bytes=2500-',
      'bytes=2500-',
      'bytes=2500-',
    ]);
    expect(records().map((line) => line.attempt)).toEqual([1, 2, 3]);
    expect([1, 2, 3, 4].map(resumeBackoffMs)).toEqual([0, 1000, 2000, 4000]);
  });

  it('ends as read-failed once the resumes are exhausted, naming the offset', async () => {
    const down = () => ({ error: Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }) });
    // The start of a log file: nothing in it is wrong before the read fails.
    const text = Buffer.from(`{"Records":[${' '.repeat(OBJECT.length - 12)}`);
    const { s3, inputs } = fakeS3(text, [{ breakAfter: 4000 }, down(), down(), down(), down()]);
    const { logger, records } = memoryLogger('info');
    const source = await openS3Object(
      s3,
      { bucket: BUCKET, key: 'k.json' },
      { maxBytes: 1e9, logger, backoffMs: noWait },
    );
    const error = await (async () => {
      for await (const _ of readLogRecords(source, 's3://trail/k.json')) {
        // no record comes before the failure
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LogFileError', reason: 'read-failed' });
    expect((error as Error).message).toMatch(
      /^s3:\/\/trail\/k\.json: reading the file failed \(the read broke off at byte 4000 of 10000, and 4 resumes in a row brought no further byte \(ObjectError: s3:\/\/trail\/k\.json: could not be read \(Error: connect ECONNREFUSED\)\)\)/,
    );
    expect(inputs).toHaveLength(5);
    expect(records().map((line) => line.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('does not resume once the caller has aborted', async () => {
    const controller = new AbortController();
    const { s3, inputs } = fakeS3(OBJECT, [{ breakAfter: 5000 }]);
    const { logger, records } = memoryLogger('info');
    const source = await openS3Object(
      s3,
      { bucket: BUCKET, key: 'k' },
      { maxBytes: 1e9, logger, signal: controller.signal },
    );
    let read = 0;
    const error = await (async () => {
      for await (const chunk of source) {
        read += chunk.length;
        // The SDK's abort destroys the request; its body then fails as any broken body does.
        if (read === 5000) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'aborted' });
    expect(inputs).toHaveLength(1);
    expect(records()).toEqual([]);
  });

  it('stops waiting to resume when the caller aborts during the wait', async () => {
    const controller = new AbortController();
    const { s3, inputs } = fakeS3(OBJECT, [{ breakAfter: 1000 }, { error: sdkError('SlowDown', 503) }]);
    const source = await openS3Object(
      s3,
      { bucket: BUCKET, key: 'k' },
      {
        maxBytes: 1e9,
        signal: controller.signal,
        backoffMs: (attempt) => (attempt === 1 ? 0 : 60_000),
      },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(readAll(source)).rejects.toMatchObject({ name: 'AbortError' });
    expect(inputs).toHaveLength(2);
  });

  it('does not resume a body that broke after its last byte (where a checksum mismatch is reported)', async () => {
    const mismatch = new Error('Checksum mismatch: expected "a" but received "b"');
    const { s3, inputs } = fakeS3(OBJECT, [{ breakAfter: OBJECT.length, breakWith: mismatch }]);
    const source = await openS3Object(s3, { bucket: BUCKET, key: 'k' }, { maxBytes: 1e9 });
    await expect(readAll(source)).rejects.toBe(mismatch);
    expect(inputs).toHaveLength(1);
  });

  it('never stitches the whole object onto the bytes read when a server ignores the range', async () => {
    const { s3 } = fakeS3(OBJECT, [{ breakAfter: 3000 }, { ignoreRange: true }]);
    const source = await openS3Object(s3, { bucket: BUCKET, key: 'k' }, { maxBytes: 1e9 });
    await expect(readAll(source)).rejects.toThrow(
      'S3 answered the request for the rest (bytes 3000-9999/10000) with no Content-Range: not stitched',
    );
  });
});

/** A sink that accepts everything and keeps the ids it was given. */
function collectingSink(): DocumentSink & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    async writeFile(documents: Documents, context): Promise<FileWriteResult> {
      for await (const document of documents) ids.push(document.id);
      return {
        file: context.file,
        ok: true,
        accepted: ids.length,
        repaired: 0,
        failed: [],
        interrupted: 0,
        conflicts: [],
        unchanged: 0,
        indexes: [],
        blocked: false,
        aborted: false,
      };
    },
  };
}

describe('a gzipped log file whose S3 read breaks off, through the pipeline', () => {
  const file = syntheticLogFile(3000, 'resumed-read');
  const summaryOf = (records: () => Array<{ msg: string; [field: string]: unknown }>) =>
    records().find((line) => line.msg.startsWith('log file '));
  const process = (answers: Answer[]) => {
    const { s3, inputs } = fakeS3(file.body, answers);
    const sink = collectingSink();
    const { logger, records } = memoryLogger('info');
    const ref = s3LogFileRef(s3, { bucket: BUCKET, key: file.key }, { maxBytes: 1e9, logger });
    const result = processLogFile(ref, { sink, transform: DEFAULT_TRANSFORM_OPTIONS, logger });
    return { result, sink, inputs, records };
  };

  it('indexes every event exactly once: the gunzip goes on across the resumes', async () => {
    const third = Math.floor(file.body.length / 3);
    const { result, sink, records } = process([{ breakAfter: third }, { breakAfter: third }]);
    expect(await result).toMatchObject({ status: 'indexed', events: 3000, readResumes: 2 });
    expect(summaryOf(records)).toMatchObject({ msg: 'log file indexed', readResumes: 2 });
    expect(sink.ids).toEqual(file.eventIds);
    expect(
      records()
        .filter((line) => line.offset !== undefined)
        .map((line) => line.offset),
    ).toEqual([third, 2 * third]);
  });

  it('says nothing of resumes on the summary line of a read that did not break', async () => {
    const { result, records } = process([]);
    const outcome = await result;
    expect(outcome.status).toBe('indexed');
    expect(outcome).not.toHaveProperty('readResumes');
    expect(summaryOf(records)).not.toHaveProperty('readResumes');
  });

  it('retries a file replaced while it was read (412), to be read again from its first byte', async () => {
    const { result, inputs, records } = process([
      { breakAfter: 5000 },
      { error: sdkError('PreconditionFailed', 412) },
    ]);
    const outcome = await result;
    expect(outcome).toMatchObject({ status: 'retry', failure: 'object-changed' });
    expect(outcome.reason).toMatch(
      /^object-changed: s3:\/\/trail\/AWSLogs\/.* was replaced while it was read \(PreconditionFailed: its ETag is no longer the one first read\); read again from the start$/,
    );
    expect(inputs[1]).toMatchObject({ Range: 'bytes=5000-', IfMatch: ETAG });
    // The resume that found the object replaced is counted too, on the line that says so.
    expect(outcome.readResumes).toBe(1);
    expect(summaryOf(records)).toMatchObject({ msg: 'log file will be retried', readResumes: 1 });
  });

  it('rejects a file deleted while it was read, as object-missing', async () => {
    const { result } = process([{ breakAfter: 5000 }, { error: sdkError('NoSuchKey', 404) }]);
    expect(await result).toMatchObject({ status: 'rejected', failure: 'object-missing' });
  });
});
