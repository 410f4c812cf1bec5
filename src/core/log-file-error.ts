import { FailureCode } from './failure-code.ts';

/**
 * Why a log file could not be read. `read-failed` is the only reason a retry can cure (the bytes did
 * not arrive); every other reason is in the file's content and fails the same way on every attempt.
 */
export const LogFileErrorReason = {
  /** The byte stream itself failed (network, permissions, file system). */
  ReadFailed: FailureCode.ReadFailed,
  /** The file starts with the gzip magic bytes but does not decompress. */
  CorruptGzip: FailureCode.CorruptGzip,
  /** The file holds no bytes (or only whitespace). */
  Empty: FailureCode.Empty,
  /** The bytes are not JSON, or one record is not valid JSON. */
  InvalidJson: FailureCode.InvalidJson,
  /** The file ends before its JSON does. */
  Truncated: FailureCode.Truncated,
  /** Valid JSON, but not `{"Records":[{...}, ...]}`. */
  NotCloudTrail: FailureCode.NotCloudTrail,
  /** A CloudTrail digest file (detected by its content): nothing to index, skip it. */
  DigestFile: FailureCode.DigestFile,
  /** One record is larger than the reader is willing to hold in memory. */
  RecordTooLarge: FailureCode.RecordTooLarge,
  /** More events than MAX_EVENTS_PER_FILE: a limit, not a transient state, so no retry helps. */
  TooManyEvents: FailureCode.TooManyEvents,
  /** The file inflates to more than MAX_DECOMPRESSED_BYTES (a gzip bomb, or whitespace by the gigabyte). */
  DecompressedTooLarge: FailureCode.DecompressedTooLarge,
  /** Reading and transforming the file took longer than MAX_FILE_READ_SECONDS (waits for OpenSearch not counted). */
  ReadTooSlow: FailureCode.ReadTooSlow,
  /** The content made reading fail in a way no other reason names (a string too long for V8, say). */
  Unreadable: FailureCode.Unreadable,
} as const satisfies Record<string, FailureCode>;
export type LogFileErrorReason = (typeof LogFileErrorReason)[keyof typeof LogFileErrorReason];

export interface LogFileErrorDetails {
  readonly file: string;
  readonly reason: LogFileErrorReason;
  /** Offset in the decompressed bytes where the problem was found, when known. */
  readonly byteOffset?: number | undefined;
  /** 1-based number of the record in `Records` the problem belongs to, when known. */
  readonly recordNumber?: number | undefined;
  readonly cause?: unknown;
}

/** A log file that cannot be turned into documents: names the file and where in it the problem is. */
export class LogFileError extends Error {
  override readonly name = 'LogFileError';
  readonly file: string;
  readonly reason: LogFileErrorReason;
  readonly byteOffset: number | undefined;
  readonly recordNumber: number | undefined;

  constructor(detail: string, details: LogFileErrorDetails) {
    super(`${details.file}: ${detail}${locationOf(details)}`, { cause: details.cause });
    this.file = details.file;
    this.reason = details.reason;
    this.byteOffset = details.byteOffset;
    this.recordNumber = details.recordNumber;
  }
}

function locationOf(details: LogFileErrorDetails): string {
  const parts: string[] = [];
  if (details.recordNumber !== undefined) parts.push(`record ${details.recordNumber}`);
  if (details.byteOffset !== undefined) parts.push(`byte ${details.byteOffset}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
