import { z } from 'zod';
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

// The formats as schemas, after Powertools' parser (packages/parser/src/schemas/s3.ts, sns.ts): each
// names only the fields read here, so new fields AWS adds change nothing, and a missing one is reported
// by its path. Keys are still URL-encoded here (decodeS3Key runs after).
// Fields only informative (a size, a time) are dropped when malformed rather than failing the message.
const S3ObjectSchema = z.object({ key: z.string(), size: z.number().optional().catch(undefined) });
const S3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string().optional().catch(undefined),
        eventTime: z.string().optional().catch(undefined),
        s3: z.object({ bucket: z.object({ name: z.string() }), object: S3ObjectSchema }),
      }),
    )
    // S3 never sends an event without records; acknowledging one would hide whatever sent it.
    .min(1, { error: 'an empty Records array announces nothing' }),
});
const CloudTrailSnsSchema = z.object({ s3Bucket: z.string(), s3ObjectKey: z.array(z.string()) });
const EventBridgeSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  time: z.string().optional().catch(undefined),
  detail: z.object({}).loose(),
});
const ObjectCreatedDetailSchema = z.object({
  bucket: z.object({ name: z.string() }),
  object: S3ObjectSchema,
});
/** The SNS envelope (raw message delivery off): the notification is the JSON text of `Message`. */
const SnsEnvelopeSchema = z.object({
  Type: z.literal('Notification'),
  Message: z.string(),
  TopicArn: z.string().optional(),
});

/** Which format a message claims to be, by the field that marks it; its schema then checks the rest. */
const FORMAT_MARKS: ReadonlyArray<[NotificationFormat, z.ZodType]> = [
  [NotificationFormat.S3TestEvent, z.object({ Event: z.literal('s3:TestEvent') })],
  [NotificationFormat.S3Event, z.object({ Records: z.array(z.unknown()) })],
  [NotificationFormat.CloudTrailSns, z.object({ s3Bucket: z.unknown(), s3ObjectKey: z.unknown() })],
  [NotificationFormat.EventBridge, z.object({ source: z.literal('aws.s3'), detail: z.unknown() })],
];

const FORMAT_NAMES: Record<NotificationFormat, string> = {
  [NotificationFormat.S3Event]: 'S3 event notification',
  [NotificationFormat.CloudTrailSns]: 'CloudTrail notification',
  [NotificationFormat.EventBridge]: 'EventBridge event',
  [NotificationFormat.S3TestEvent]: 'S3 test event',
};

/** Parses with a schema, or throws a NotificationError naming what and where (`Records[0].s3.object.key`). */
function parseAs<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('');
  throw new NotificationError(`${what}${path ? ` at ${path.replace(/^\./, '')}` : ''}: ${issue?.message}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NotificationError(`${what} is not JSON (${(error as Error).message})`);
  }
}

export function decodeNotification(body: string): DecodedNotification {
  const parsed = parseJson(body, 'message body');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NotificationError('message body is JSON but not an object');
  }
  const envelope = SnsEnvelopeSchema.safeParse(parsed);
  if (envelope.success) {
    const from = `SNS message from ${envelope.data.TopicArn ?? 'an unknown topic'}`;
    const inner = parseJson(envelope.data.Message, from);
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      throw new NotificationError(`${from} is JSON but not an object`);
    }
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

function decodeUnwrapped(message: object): Omit<DecodedNotification, 'viaSns'> {
  const format = FORMAT_MARKS.find(([, mark]) => mark.safeParse(message).success)?.[0];
  const what = format ? FORMAT_NAMES[format] : '';
  switch (format) {
    case NotificationFormat.S3TestEvent:
      return { format, objects: [] };
    case NotificationFormat.S3Event:
      return { format, objects: fromS3Records(parseAs(S3EventSchema, message, what).Records) };
    case NotificationFormat.CloudTrailSns: {
      const { s3Bucket, s3ObjectKey } = parseAs(CloudTrailSnsSchema, message, what);
      // CloudTrail writes its keys as they are, not URL-encoded.
      return {
        format,
        objects: s3ObjectKey.map((key) => ({ bucket: s3Bucket, key: refuseControlCharacters(key) })),
      };
    }
    case NotificationFormat.EventBridge:
      return { format, objects: fromEventBridge(parseAs(EventBridgeSchema, message, what)) };
    default:
      throw new NotificationError(
        `message is not a notification format this service reads (keys: ${Object.keys(message).slice(0, 8).join(', ')})`,
      );
  }
}

function fromS3Records(records: z.output<typeof S3EventSchema>['Records']): AnnouncedObject[] {
  return (
    records
      // Deletions, restores and the like announce nothing new to index.
      .filter((record) => record.eventName === undefined || record.eventName.startsWith('ObjectCreated:'))
      .map((record) => ({
        bucket: record.s3.bucket.name,
        key: decodeS3Key(record.s3.object.key),
        size: record.s3.object.size,
        announcedAt: record.eventTime,
      }))
  );
}

function fromEventBridge(event: z.output<typeof EventBridgeSchema>): AnnouncedObject[] {
  if (event['detail-type'] !== 'Object Created') return [];
  const { bucket, object } = parseAs(
    ObjectCreatedDetailSchema,
    event.detail,
    'EventBridge "Object Created" event detail',
  );
  return [{ bucket: bucket.name, key: decodeS3Key(object.key), size: object.size, announcedAt: event.time }];
}
