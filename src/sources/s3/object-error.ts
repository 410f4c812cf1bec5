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
  /**
   * The object was replaced while it was being read (a resumed read found another ETag: 412). The
   * bytes already read belong to the old object, so the rest is not stitched on: the file is retried,
   * and the next attempt reads the new object from its first byte.
   */
  Changed: FailureCode.ObjectChanged,
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
    return this.reason !== ObjectErrorReason.Unavailable && this.reason !== ObjectErrorReason.Changed;
  }
}

/**
 * What S3 answered, from the SDK error's name and HTTP status: the one reading of S3's refusals, for
 * objects (GetObject) and buckets (HeadBucket, whose errors have no body and so are named by status:
 * NotFound, Forbidden).
 */
export function s3Refusal(error: unknown): 'missing' | 'denied' | 'changed' | undefined {
  const name = (error as Error).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') return 'missing';
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || name === 'Forbidden' || status === 403)
    return 'denied';
  // Only a resumed read sends If-Match; S3 answers a mismatch with 412 PreconditionFailed.
  if (name === 'PreconditionFailed' || status === 412) return 'changed';
  return undefined;
}

/** What a failed GetObject means for the file. */
export function objectErrorOf(error: unknown, object: { bucket: string; key: string }): ObjectError {
  const { bucket, key } = object;
  const name = (error as Error).name;
  const refusal = s3Refusal(error);
  if (refusal === 'missing') {
    return new ObjectError(ObjectErrorReason.Missing, bucket, key, `does not exist (${name})`, error);
  }
  if (refusal === 'denied') {
    return new ObjectError(
      ObjectErrorReason.AccessDenied,
      bucket,
      key,
      `access denied (${name}): a bucket the worker may not read, or a policy to fix (then redrive)`,
      error,
    );
  }
  if (refusal === 'changed') {
    return new ObjectError(
      ObjectErrorReason.Changed,
      bucket,
      key,
      `was replaced while it was read (${name}: its ETag is no longer the one first read); read again from the start`,
      error,
    );
  }
  return new ObjectError(
    ObjectErrorReason.Unavailable,
    bucket,
    key,
    `could not be read (${name}: ${(error as Error).message})`,
    error,
  );
}
