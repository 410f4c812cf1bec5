import type { ByteSource } from '../core/byte-source.ts';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import type { RecordText } from '../core/record-text.ts';
import { decompressIfGzip, GzipError, SourceReadError } from './decompress-if-gzip.ts';
import type { RecordsSplitterOptions } from './records-splitter.ts';
import { RecordsSplitter } from './records-splitter.ts';

export interface ReadLogRecordsOptions extends RecordsSplitterOptions {
  /**
   * A file inflating to more bytes fails with `decompressed-too-large`: the compressed size alone
   * (MAX_OBJECT_BYTES) lets a 20 MB gzip of whitespace keep a worker busy for minutes.
   */
  readonly maxDecompressedBytes?: number | undefined;
  /**
   * Reading (fetching, decompressing, splitting) may take this long in all, not counting the time the
   * consumer holds the records (transforming them, waiting for OpenSearch): past it, `read-too-slow`.
   */
  readonly maxReadSeconds?: number | undefined;
  /** The clock, in ms, for tests. */
  readonly now?: (() => number) | undefined;
}

export const DEFAULT_MAX_READ_SECONDS = 600;

/** Real CloudTrail files are megabytes; 4 GiB is far past any, and about 20 s of gunzip on one core. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Reads one CloudTrail log file (gzip or not) as a stream and yields its records' source text in
 * batches, one batch per decompressed chunk, so memory holds one chunk and one record at a time.
 * Batches keep the per-record cost of async iteration out of the hot path.
 *
 * Every failure, whether of the bytes or of their content, is thrown as a `LogFileError` naming `file`.
 */
export async function* readLogRecordBatches(
  source: ByteSource,
  file: string,
  options: ReadLogRecordsOptions = {},
): AsyncGenerator<RecordText[]> {
  const splitter = new RecordsSplitter(file, options);
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const maxReadMs = (options.maxReadSeconds ?? DEFAULT_MAX_READ_SECONDS) * 1000;
  const now = options.now ?? (() => performance.now());
  let busyMs = 0;
  let resumed = now();
  try {
    for await (const chunk of decompressIfGzip(source)) {
      const at = now();
      busyMs += at - resumed;
      resumed = at;
      if (busyMs > maxReadMs) {
        throw new LogFileError(
          `reading the file took more than ${maxReadMs / 1000} s (MAX_FILE_READ_SECONDS)`,
          {
            file,
            reason: LogFileErrorReason.ReadTooSlow,
            byteOffset: splitter.bytesRead,
          },
        );
      }
      if (splitter.bytesRead + chunk.length > maxBytes) {
        throw new LogFileError(
          `the file decompresses to more than ${maxBytes} bytes (MAX_DECOMPRESSED_BYTES)`,
          {
            file,
            reason: LogFileErrorReason.DecompressedTooLarge,
            byteOffset: maxBytes,
          },
        );
      }
      const records = splitter.push(chunk);
      if (records.length > 0) {
        busyMs += now() - resumed;
        // Handed over, not kept: a suspended generator keeps its frame's variables, and the records
        // held while the consumer works on them would outlive V8's young generation (see
        // transformLogFile).
        yield records.splice(0);
        resumed = now();
      }
    }
    splitter.finish();
  } catch (error) {
    throw asLogFileError(error, file, splitter);
  }
}

/** Like `readLogRecordBatches`, one record at a time. */
export async function* readLogRecords(
  source: ByteSource,
  file: string,
  options: ReadLogRecordsOptions = {},
): AsyncGenerator<RecordText> {
  for await (const batch of readLogRecordBatches(source, file, options)) yield* batch;
}

function asLogFileError(error: unknown, file: string, splitter: RecordsSplitter): LogFileError {
  if (error instanceof LogFileError) return error;
  if (error instanceof GzipError) {
    // No byte offset: how much JSON came out before the failure is not known (see GzipError).
    return new LogFileError(error.message, {
      file,
      reason: LogFileErrorReason.CorruptGzip,
      cause: error.cause,
    });
  }
  if (error instanceof SourceReadError) {
    return new LogFileError(error.message, {
      file,
      reason: LogFileErrorReason.ReadFailed,
      cause: error.cause,
    });
  }
  // Not the byte stream (that is a SourceReadError) but something in the content: the same bytes fail
  // the same way on every attempt, so a retry would only repeat the damage.
  return new LogFileError(
    `the content could not be read (${(error as Error)?.name}: ${(error as Error)?.message})`,
    {
      file,
      reason: LogFileErrorReason.Unreadable,
      byteOffset: splitter.bytesRead,
      cause: error,
    },
  );
}
