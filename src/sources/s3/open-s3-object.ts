import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../../core/byte-source.ts';
import { FailureCode } from '../../core/failure-code.ts';

export const ObjectErrorReason = {
  /** The key does not exist (deleted since, or a notification for another bucket): no retry helps. */
  Missing: FailureCode.ObjectMissing,
  /**
   * S3 refused access (403): a notification naming a bucket the worker may not read (someone else's),
   * or a policy not granting it. Retrying until maxReceiveCount changes neither; redrive once fixed.
   */
  AccessDenied: FailureCode.ObjectAccessDenied,
  /** Larger than MAX_OBJECT_BYTES: refused before reading a byte. */
  TooLarge: FailureCode.ObjectTooLarge,
  /** S3 did not answer, or throttled: worth another try later. */
  Unavailable: FailureCode.S3Unavailable,
} as const satisfies Record<string, FailureCode>;
export type ObjectErrorReason = (typeof ObjectErrorReason)[keyof typeof ObjectErrorReason];

/** An object that could not be opened; names the bucket and key and keeps the SDK error as the cause. */
export class ObjectError extends Error {
  override readonly name = 'ObjectError';
  readonly reason: ObjectErrorReason;
  readonly bucket: string;
  readonly key: string;

  constructor(reason: ObjectErrorReason, bucket: string, key: string, detail: string, cause?: unknown) {
    super(`s3://${bucket}/${key}: ${detail}`, { cause });
    this.reason = reason;
    this.bucket = bucket;
    this.key = key;
  }

  get permanent(): boolean {
    return this.reason !== ObjectErrorReason.Unavailable;
  }
}

/**
 * Opens an S3 object as a byte stream. Nothing is buffered: the transform reads the body as it
 * arrives. The size is checked from the response headers before the first byte is read.
 */
export async function openS3Object(
  s3: S3Client,
  object: { bucket: string; key: string },
  options: { maxBytes: number; signal?: AbortSignal | undefined },
): Promise<ByteSource> {
  const { bucket, key } = object;
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: options.signal,
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
      throw new ObjectError(ObjectErrorReason.Missing, bucket, key, `does not exist (${name})`, error);
    }
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
      throw new ObjectError(
        ObjectErrorReason.AccessDenied,
        bucket,
        key,
        `access denied (${name}): a bucket the worker may not read, or a policy to fix (then redrive)`,
        error,
      );
    }
    throw new ObjectError(
      ObjectErrorReason.Unavailable,
      bucket,
      key,
      `could not be read (${name}: ${(error as Error).message})`,
      error,
    );
  }
  const body = response.Body as (ByteSource & { destroy?: () => void }) | undefined;
  if (response.ContentLength !== undefined && response.ContentLength > options.maxBytes) {
    body?.destroy?.();
    throw new ObjectError(
      ObjectErrorReason.TooLarge,
      bucket,
      key,
      `is ${response.ContentLength} bytes, more than MAX_OBJECT_BYTES (${options.maxBytes})`,
    );
  }
  if (!body) throw new ObjectError(ObjectErrorReason.Unavailable, bucket, key, 'S3 returned no body');
  return body;
}
