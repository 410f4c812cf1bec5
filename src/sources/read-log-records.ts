import type { ByteSource } from './decompress-if-gzip.ts';
import { decompressIfGzip, GzipError, SourceReadError } from './decompress-if-gzip.ts';
import { LogFileError, LogFileErrorReason } from './log-file-error.ts';
import type { RecordsSplitterOptions, RecordText } from './records-splitter.ts';
import { RecordsSplitter } from './records-splitter.ts';

export type ReadLogRecordsOptions = RecordsSplitterOptions;

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
  try {
    for await (const chunk of decompressIfGzip(source)) {
      const records = splitter.push(chunk);
      if (records.length > 0) yield records;
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
    return new LogFileError(error.message, {
      file,
      reason: LogFileErrorReason.CorruptGzip,
      byteOffset: splitter.bytesRead,
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
  return new LogFileError(`reading the file failed (${(error as Error).message})`, {
    file,
    reason: LogFileErrorReason.ReadFailed,
    cause: error,
  });
}
