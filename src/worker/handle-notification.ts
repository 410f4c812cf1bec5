import type { Logger } from 'pino';
import { type FileResult, FileStatus } from '../core/file-result.ts';
import type { LogFileRef } from '../core/log-file-ref.ts';
import {
  type AnnouncedObject,
  type DecodedNotification,
  decodeNotification,
  NotificationError,
} from '../sources/s3/decode-notification.ts';

/**
 * What to do with a message once its files are processed:
 * - `ack`: every announced file is indexed or deliberately skipped: delete it;
 * - `leave`: some file failed transiently: it comes back after its visibility timeout;
 * - `dead-letter`: it can never succeed as it is: move it, intact, to the dead-letter queue.
 */
export type MessageDecision =
  | { readonly action: 'ack' }
  | { readonly action: 'leave'; readonly reason: string }
  | { readonly action: 'dead-letter'; readonly reason: string };

export interface HandledMessage {
  readonly decision: MessageDecision;
  readonly notification?: DecodedNotification;
  readonly files: readonly FileResult[];
  /** Refused for its size, before any parsing. */
  readonly tooLarge?: boolean;
  /** Refused for the number of objects it announces, before reading any. */
  readonly tooManyObjects?: boolean;
}

export interface NotificationDeps {
  /** Processes one file (bounded concurrency and the pipeline are the caller's). */
  processFile(ref: LogFileRef, signal?: AbortSignal): Promise<FileResult>;
  /** Makes the pipeline's reference for an announced object. */
  refFor(object: AnnouncedObject): LogFileRef;
  /** Only keys under this prefix are ours; others are acknowledged and skipped. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** A larger body is dead-lettered without being parsed (MAX_MESSAGE_BYTES). */
  readonly maxMessageBytes?: number | undefined;
  /** A message announcing more distinct objects is dead-lettered unread (MAX_OBJECTS_PER_MESSAGE). */
  readonly maxObjectsPerMessage?: number | undefined;
}

/** Decodes one message body and processes every file it announces, then decides its fate. */
export async function handleNotification(
  body: string,
  deps: NotificationDeps,
  signal?: AbortSignal,
): Promise<HandledMessage> {
  const bytes = Buffer.byteLength(body);
  if (deps.maxMessageBytes !== undefined && bytes > deps.maxMessageBytes) {
    return {
      decision: {
        action: 'dead-letter',
        reason: `message body is ${bytes} bytes, more than MAX_MESSAGE_BYTES (${deps.maxMessageBytes}): not a notification`,
      },
      files: [],
      tooLarge: true,
    };
  }
  let notification: DecodedNotification;
  try {
    notification = decodeNotification(body);
  } catch (error) {
    if (error instanceof NotificationError)
      return { decision: { action: 'dead-letter', reason: error.message }, files: [] };
    throw error;
  }
  if (notification.repeated) {
    deps.logger.warn(
      { repeated: notification.repeated, objects: notification.objects.length },
      'message names the same object more than once; each is read once',
    );
  }
  const maxObjects = deps.maxObjectsPerMessage;
  if (maxObjects !== undefined && notification.objects.length > maxObjects) {
    return {
      decision: {
        action: 'dead-letter',
        reason: `message announces ${notification.objects.length} objects, more than MAX_OBJECTS_PER_MESSAGE (${maxObjects}): none read`,
      },
      notification,
      files: [],
      tooManyObjects: true,
    };
  }
  const ours = notification.objects.filter((object) => object.key.startsWith(deps.keyPrefix));
  for (const object of notification.objects.filter((o) => !ours.includes(o))) {
    deps.logger.debug(
      { bucket: object.bucket, key: object.key, keyPrefix: deps.keyPrefix },
      'object outside KEY_PREFIX skipped',
    );
  }
  const files = await Promise.all(ours.map((object) => deps.processFile(deps.refFor(object), signal)));
  return { decision: decide(files), notification, files };
}

function decide(files: readonly FileResult[]): MessageDecision {
  const retry = files.filter((file) => file.status === FileStatus.Retry);
  if (retry.length > 0) {
    return {
      action: 'leave',
      reason: retry.map((file) => `${file.file}: ${file.reason ?? 'retry'}`).join('; '),
    };
  }
  const rejected = files.filter((file) => file.status === FileStatus.Rejected);
  if (rejected.length > 0) {
    // The whole message goes: its other files are indexed already, and indexing them again after a
    // redrive only overwrites the same documents.
    return {
      action: 'dead-letter',
      reason: rejected.map((file) => `${file.file}: ${file.reason ?? 'rejected'}`).join('; '),
    };
  }
  return { action: 'ack' };
}
