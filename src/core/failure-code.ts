import { EventFlag } from './event-flags.ts';

/**
 * Why a file or a message failed: the short code of a `FileResult`, of the summary log line and of
 * the `failures_total{reason}` metric. This is the one list. Each producer's own reasons are drawn from
 * it (`ObjectErrorReason` opening an object, `LogFileErrorReason` reading one, the pipeline's verdict
 * on a delivery, the worker's checks of a message), so a reason cannot reach a result without the
 * metric knowing it.
 */
export const FailureCode = {
  // The object (sources/s3/object-error.ts)
  ObjectMissing: 'object-missing',
  ObjectAccessDenied: 'object-access-denied',
  ObjectTooLarge: 'object-too-large',
  S3Unavailable: 's3-unavailable',
  /** Replaced while it was read: retried, and read again from its first byte. */
  ObjectChanged: 'object-changed',
  // Its key, before a byte is read
  KeyControlCharacters: 'key-control-characters',
  // Its content (core/log-file-error.ts)
  ReadFailed: 'read-failed',
  CorruptGzip: 'corrupt-gzip',
  Empty: 'empty',
  InvalidJson: 'invalid-json',
  Truncated: 'truncated',
  NotCloudTrail: 'not-cloudtrail',
  DigestFile: 'digest-file',
  RecordTooLarge: 'record-too-large',
  TooManyEvents: 'too-many-events',
  DecompressedTooLarge: 'decompressed-too-large',
  ReadTooSlow: 'read-too-slow',
  Unreadable: 'unreadable',
  // Hostile content: delivered made safe, then set aside (core/event-flags.ts, HOSTILE_FLAGS)
  FoldedKeys: EventFlag.FoldedKeys,
  OutsideTimeWindow: EventFlag.OutsideTimeWindow,
  // The delivery (the pipeline's verdict on the sink's FileWriteResult)
  Blocked: 'blocked',
  DocumentsRejected: 'documents-rejected',
  IdConflict: 'id-conflict',
  /** Shutdown stopped the delivery before every document was accepted. */
  Interrupted: 'interrupted',
  // The queue message (worker/)
  UnparseableMessage: 'unparseable-message',
  MessageTooLarge: 'message-too-large',
  TooManyObjects: 'too-many-objects',
  /** A ReceiveMessage failed (SQS unreachable, throttling, credentials). */
  QueueUnavailable: 'queue-unavailable',
  // None of the above
  /** An error no code names, taken as transient (the file is retried). */
  Other: 'other',
  /** Processing threw: a bug, reported as such. */
  InternalError: 'internal-error',
} as const;
export type FailureCode = (typeof FailureCode)[keyof typeof FailureCode];

export const FAILURE_CODES: readonly FailureCode[] = Object.values(FailureCode);
