import { randomBytes } from 'node:crypto';
import type { ListedObject } from '../sources/s3/list-log-files.ts';

/** The `configurationId` of the notifications a backfill sends: how they are told apart from S3's own. */
export const BACKFILL_CONFIGURATION_ID = 'cloudtrail-indexer-backfill';

/**
 * An object key as S3 writes it into event notifications: URL-encoded, spaces as `+`, slashes as
 * they are (what `decodeNotification` undoes).
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
}

/**
 * The S3 event notification S3 itself sends for a new object (event version 2.1,
 * `ObjectCreated:Put`, one record per message), so the worker handles a backfilled file exactly as a
 * live one: same decoding, ack, retry and dead-letter path. `eventTime` is when it is enqueued (the
 * worker's ingestion lag then measures the queue, not the age of the history), and the ids S3 would
 * make up are random.
 */
export function s3EventNotification(object: ListedObject, options: { region: string; now?: Date }): string {
  const record = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region,
    eventTime: (options.now ?? new Date()).toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: BACKFILL_CONFIGURATION_ID },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: BACKFILL_CONFIGURATION_ID,
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: BACKFILL_CONFIGURATION_ID },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: {
        key: encodeS3EventKey(object.key),
        size: object.size,
        ...(object.eTag ? { eTag: object.eTag } : {}),
        sequencer: randomBytes(9).toString('hex').toUpperCase(),
      },
    },
  };
  return JSON.stringify({ Records: [record] });
}
