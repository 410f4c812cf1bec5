import { hasControlCharacter } from '../../core/classify-object-key.ts';

/**
 * Decodes the body of one SQS message into the S3 objects it announces. Every notification
 * format a CloudTrail bucket can feed a queue with is understood, nested as AWS nests them:
 * - S3 event notifications (`{"Records":[{"s3":{...}}]}`), every record, not only the first;
 * - the same inside an SNS envelope (raw message delivery off), or bare (raw delivery on);
 * - CloudTrail's own SNS notification (`{"s3Bucket":..., "s3ObjectKey":[...]}`), bare or in SNS;
 * - EventBridge "Object Created" events;
 * - `s3:TestEvent`, sent once when a notification is configured: nothing to do.
 */

export const NotificationFormat = {
  S3Event: 's3-event',
  CloudTrailSns: 'cloudtrail-sns',
  EventBridge: 'eventbridge',
  S3TestEvent: 's3-test-event',
} as const;
export type NotificationFormat = (typeof NotificationFormat)[keyof typeof NotificationFormat];

export interface AnnouncedObject {
  readonly bucket: string;
  /** URL-decoded: the key to ask S3 for. */
  readonly key: string;
  readonly size?: number | undefined;
  /** When S3 (or CloudTrail) announced it, ISO 8601: the start of the ingestion lag. */
  readonly announcedAt?: string | undefined;
}

export interface DecodedNotification {
  readonly format: NotificationFormat;
  /** True when the message came wrapped in an SNS envelope. */
  readonly viaSns: boolean;
  /** New objects announced, each once; empty for test events and for events other than object creation. */
  readonly objects: readonly AnnouncedObject[];
  /** Mentions of an object already named earlier in the message, dropped. */
  readonly repeated?: number;
}

/** A message body no format explains: it can never succeed, so it belongs in the dead-letter queue. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function refuseControlCharacters(key: string): string {
  if (hasControlCharacter(key)) {
    throw new NotificationError(
      `object key ${JSON.stringify(key)} contains control characters: no CloudTrail key does, refused`,
    );
  }
  return key;
}

/** S3 and EventBridge URL-encode keys in form style: `+` is a space, then percent-escapes. */
export function decodeS3Key(encoded: string): string {
  const spaced = encoded.replaceAll('+', ' ');
  let key: string;
  try {
    key = decodeURIComponent(spaced);
  } catch {
    throw new NotificationError(`object key "${encoded}" is not valid URL encoding`);
  }
  return refuseControlCharacters(key);
}

/**
 * The objects of a message, each once: a body naming the same object 2,000 times must not have it
 * read 2,000 times. The first mention wins (its size and time).
 */
function distinctObjects(objects: readonly AnnouncedObject[]): AnnouncedObject[] {
  const seen = new Set<string>();
  return objects.filter((object) => {
    const id = `${object.bucket}\u0000${object.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function decodeNotification(body: string): DecodedNotification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new NotificationError(`message body is not JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new NotificationError('message body is JSON but not an object');
  if (parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(parsed.Message);
    } catch {
      throw new NotificationError(
        `SNS message from ${String(parsed.TopicArn ?? 'an unknown topic')} is not JSON`,
      );
    }
    if (!isObject(inner)) throw new NotificationError('SNS message is JSON but not an object');
    return withDistinctObjects({ ...decodeUnwrapped(inner), viaSns: true });
  }
  return withDistinctObjects({ ...decodeUnwrapped(parsed), viaSns: false });
}

function withDistinctObjects(notification: DecodedNotification): DecodedNotification {
  const objects = distinctObjects(notification.objects);
  return objects.length === notification.objects.length
    ? notification
    : { ...notification, objects, repeated: notification.objects.length - objects.length };
}

function decodeUnwrapped(message: Json): Omit<DecodedNotification, 'viaSns'> {
  if (message.Event === 's3:TestEvent') return { format: NotificationFormat.S3TestEvent, objects: [] };
  if (Array.isArray(message.Records)) {
    // S3 never sends an event without records; acknowledging one would hide whatever sent it.
    if (message.Records.length === 0)
      throw new NotificationError('S3 event notification with an empty Records array announces nothing');
    return { format: NotificationFormat.S3Event, objects: fromS3Records(message.Records) };
  }
  if (typeof message.s3Bucket === 'string' && Array.isArray(message.s3ObjectKey)) {
    return {
      format: NotificationFormat.CloudTrailSns,
      objects: fromCloudTrailSns(message.s3Bucket, message.s3ObjectKey),
    };
  }
  if (message.source === 'aws.s3' && isObject(message.detail)) {
    return { format: NotificationFormat.EventBridge, objects: fromEventBridge(message) };
  }
  throw new NotificationError(
    `message is not a notification format this service reads (keys: ${Object.keys(message).slice(0, 8).join(', ')})`,
  );
}

function fromS3Records(records: unknown[]): AnnouncedObject[] {
  const objects: AnnouncedObject[] = [];
  records.forEach((record, i) => {
    const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
    const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = s3 && isObject(s3.object) ? s3.object : undefined;
    if (typeof bucket !== 'string' || !object || typeof object.key !== 'string') {
      throw new NotificationError(`S3 event record ${i + 1} names no bucket and key`);
    }
    // Deletions, restores and the like announce nothing new to index.
    const eventName = (record as Json).eventName;
    if (typeof eventName === 'string' && !eventName.startsWith('ObjectCreated:')) return;
    objects.push({
      bucket,
      key: decodeS3Key(object.key),
      size: typeof object.size === 'number' ? object.size : undefined,
      announcedAt:
        typeof (record as Json).eventTime === 'string' ? ((record as Json).eventTime as string) : undefined,
    });
  });
  return objects;
}

/** CloudTrail writes its keys as they are, not URL-encoded. */
function fromCloudTrailSns(bucket: string, keys: unknown[]): AnnouncedObject[] {
  return keys.map((key, i) => {
    if (typeof key !== 'string')
      throw new NotificationError(`CloudTrail notification key ${i + 1} is not a string`);
    return { bucket, key: refuseControlCharacters(key) };
  });
}

function fromEventBridge(event: Json): AnnouncedObject[] {
  if (event['detail-type'] !== 'Object Created') return [];
  const detail = event.detail as Json;
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail.object) ? detail.object : undefined;
  if (typeof bucket !== 'string' || !object || typeof object.key !== 'string') {
    throw new NotificationError('EventBridge "Object Created" event names no bucket and key');
  }
  return [
    {
      bucket,
      key: decodeS3Key(object.key),
      size: typeof object.size === 'number' ? object.size : undefined,
      announcedAt: typeof event.time === 'string' ? event.time : undefined,
    },
  ];
}
