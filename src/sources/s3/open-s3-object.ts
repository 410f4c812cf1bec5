import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../../core/byte-source.ts';
import { ObjectError, ObjectErrorReason, objectErrorOf } from './object-error.ts';
import { resumableS3Body, type S3BodyResumeOptions } from './resumable-s3-body.ts';

/**
 * Opens an S3 object as a byte stream. Nothing is buffered: the transform reads the body as it
 * arrives. The size is checked from the response headers before the first byte is read. A body that
 * breaks off midway is resumed from where it stopped (resumable-s3-body.ts).
 */
export async function openS3Object(
  s3: S3Client,
  object: { bucket: string; key: string },
  options: { maxBytes: number } & S3BodyResumeOptions,
): Promise<ByteSource> {
  const { bucket, key } = object;
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: options.signal,
    });
  } catch (error) {
    throw objectErrorOf(error, object);
  }
  const body = response.Body as
    | (ByteSource & AsyncIterable<Uint8Array> & { destroy?: () => void })
    | undefined;
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
  // S3 always sends both; without them the rest could not be asked for safely.
  if (response.ETag === undefined || response.ContentLength === undefined) return body;
  return resumableS3Body(s3, object, { body, eTag: response.ETag, size: response.ContentLength }, options);
}
