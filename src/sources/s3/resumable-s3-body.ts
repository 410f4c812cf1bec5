import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { describeError } from '../../core/describe-error.ts';
import type { ReadStats } from '../../core/log-file-ref.ts';
import { ObjectError, ObjectErrorReason, objectErrorOf } from './object-error.ts';

/** Resumes in a row that bring no new byte before the read fails (read-failed, the file retried). */
export const MAX_RESUMES_WITHOUT_PROGRESS = 4;

/**
 * The wait before each resume of a row. The first is immediate: the usual cause is a body left unread
 * while the sink waited (the idle-socket timeout, or the server closing a slow reader), and the reader
 * is asking for bytes again now. Later ones give a flapping network or endpoint a few seconds.
 */
export function resumeBackoffMs(attempt: number): number {
  return attempt <= 1 ? 0 : 1000 * 2 ** (attempt - 2);
}

export interface S3BodyResumeOptions {
  readonly signal?: AbortSignal | undefined;
  /** Each resume is logged here (warn), with the bucket, key, offset and the error that broke the read. */
  readonly logger?: Logger | undefined;
  readonly maxResumes?: number | undefined;
  /** Each resume is counted here too, for the file's summary line and the metrics. */
  readonly stats?: ReadStats | undefined;
  /** Tests shorten the waits. */
  readonly backoffMs?: ((attempt: number) => number) | undefined;
}

/** The first response of a read: its body, and what a resume needs to ask for exactly the rest of it. */
export interface FirstResponse {
  readonly body: AsyncIterable<Uint8Array>;
  /** The object's ETag as S3 sent it (quoted): the rest is asked for with `If-Match` on it. */
  readonly eTag: string;
  /** The object's size in bytes. */
  readonly size: number;
}

/**
 * The bytes of an S3 object, read once, in order, even when the response body breaks off midway.
 * Bytes are counted as they are yielded; when the body fails for a transport reason (the SDK's
 * idle-socket timeout while the consumer was held up by the sink, a reset, a connection closed by the
 * server), the rest is asked for with `Range: bytes=<offset>-` and `If-Match: <first ETag>`, and
 * yielded into the same consumer, so a gunzip downstream goes on from where it was.
 *
 * Not resumed: the caller's abort; a body that broke after its last byte (nothing is left to ask for,
 * and the SDK's checksum mismatch is reported there); a replaced object (412: `object-changed`, the
 * file read again from the start, never stitched), a deleted one (`object-missing`) or one no longer
 * readable (`object-access-denied`); a range S3 did not answer as asked. After
 * `MAX_RESUMES_WITHOUT_PROGRESS` resumes in a row that brought no byte, the last error ends the read
 * (read-failed). A resume that brings bytes starts the count again: a file held up by a slow sink
 * many times over goes on as long as each resume gets it further.
 */
export async function* resumableS3Body(
  s3: S3Client,
  object: { bucket: string; key: string },
  first: FirstResponse,
  options: S3BodyResumeOptions = {},
): AsyncGenerator<Uint8Array> {
  const { bucket, key } = object;
  const { signal, logger } = options;
  const maxResumes = options.maxResumes ?? MAX_RESUMES_WITHOUT_PROGRESS;
  const backoffMs = options.backoffMs ?? resumeBackoffMs;
  let body: AsyncIterable<Uint8Array> | undefined = first.body;
  let offset = 0;
  let resumes = 0;
  let lastError: unknown;
  for (;;) {
    if (body) {
      const before = offset;
      try {
        for await (const chunk of body) {
          offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (error) {
        if (signal?.aborted || (error as Error)?.name === 'AbortError' || offset >= first.size) throw error;
        if (offset > before) resumes = 0;
        lastError = error;
      }
    }
    if (resumes >= maxResumes) {
      throw new Error(
        `the read broke off at byte ${offset} of ${first.size}, and ${maxResumes} resumes in a row brought no further byte (${describeError(lastError)})`,
        { cause: lastError },
      );
    }
    resumes += 1;
    if (options.stats) options.stats.resumes += 1;
    logger?.warn(
      { bucket, key, offset, size: first.size, attempt: resumes, err: lastError },
      'S3 object read broke off, resuming where it stopped',
    );
    // Rejects with an AbortError when the caller aborts during the wait.
    await sleep(backoffMs(resumes), undefined, signal ? { signal } : undefined);
    try {
      body = await getRest(s3, object, first, offset, signal);
    } catch (error) {
      // S3 said something definite about the object (replaced, deleted, refused): that is the outcome.
      if (
        signal?.aborted ||
        !(error instanceof ObjectError) ||
        error.reason !== ObjectErrorReason.Unavailable
      )
        throw error;
      body = undefined;
      lastError = error;
    }
  }
}

/** GETs `[offset, size)` of the same object version, or throws. */
async function getRest(
  s3: S3Client,
  object: { bucket: string; key: string },
  first: FirstResponse,
  offset: number,
  signal: AbortSignal | undefined,
): Promise<AsyncIterable<Uint8Array>> {
  const { bucket, key } = object;
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-`, IfMatch: first.eTag }),
      { abortSignal: signal },
    );
  } catch (error) {
    throw objectErrorOf(error, object);
  }
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  const expected = `bytes ${offset}-${first.size - 1}/${first.size}`;
  if (!body || response.ContentRange !== expected) {
    body?.destroy?.();
    // A server or proxy that ignores Range would send the whole object again: appending it would
    // duplicate every byte read so far.
    throw new Error(
      `S3 answered the request for the rest (${expected}) with ${response.ContentRange ? `Content-Range ${response.ContentRange}` : 'no Content-Range'}: not stitched`,
    );
  }
  return body;
}
