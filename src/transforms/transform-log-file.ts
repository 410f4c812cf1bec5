import type { IndexableDocument } from '../pipeline/indexable-document.ts';
import type { ObjectKeyInfo } from '../sources/classify-object-key.ts';
import type { ByteSource } from '../sources/decompress-if-gzip.ts';
import { LogFileError, LogFileErrorReason } from '../sources/log-file-error.ts';
import type { ReadLogRecordsOptions } from '../sources/read-log-records.ts';
import { readLogRecordBatches } from '../sources/read-log-records.ts';
import type { RecordText } from '../sources/records-splitter.ts';
import { DEFAULT_FLATTEN_KEYS } from './flatten-fields.ts';
import { hasInexactNumber, parseKeepingNumberText } from './parse-lossless.ts';
import { DEFAULT_INDEX_PREFIX, IndexRouting } from './route-event.ts';
import type { DocumentOptions } from './to-document.ts';
import { toDocument } from './to-document.ts';

export interface TransformOptions extends DocumentOptions, ReadLogRecordsOptions {
  /**
   * A file with more events fails with `too-many-events` once the reader gets past this many (the
   * events before it are delivered by then; a retry after the limit is raised overwrites them).
   */
  readonly maxEvents?: number | undefined;
}

export const DEFAULT_TRANSFORM_OPTIONS: TransformOptions = Object.freeze({
  routing: IndexRouting.EventTime,
  indexPrefix: DEFAULT_INDEX_PREFIX,
  flattenKeys: DEFAULT_FLATTEN_KEYS,
});

/** The log file being transformed. */
export interface LogFileSource {
  /** How messages name the file: a local path or `s3://bucket/key`. */
  readonly name: string;
  /** What its key or file name says (classifyObjectKey): delivery date and Insights family. */
  readonly keyInfo: ObjectKeyInfo;
}

/** Counts for the one summary line per file; filled in while the documents are consumed. */
export interface TransformStats {
  documents: number;
  /** Records that needed the exact-number parse (the slow path). */
  exactNumberRecords: number;
}

export function newTransformStats(): TransformStats {
  return { documents: 0, exactNumberRecords: 0 };
}

/**
 * One log file in, its documents out, in batches (one per decompressed chunk): the function the
 * worker, the backfill and the `transform` command share. Streams: memory holds one chunk and its
 * records, whatever the file size. Any problem with the file ends the iteration with a `LogFileError`
 * naming the file and the record or byte offset; documents yielded before it are valid (their `_id`s
 * make a retry harmless), but the file as a whole has failed.
 */
export async function* transformLogFileBatches(
  bytes: ByteSource,
  file: LogFileSource,
  options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS,
  stats: TransformStats = newTransformStats(),
): AsyncGenerator<IndexableDocument[]> {
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  for await (const records of readLogRecordBatches(bytes, file.name, options)) {
    if (stats.documents + records.length > maxEvents) {
      const first = records[maxEvents - stats.documents];
      throw new LogFileError(`the file holds more than ${maxEvents} events (MAX_EVENTS_PER_FILE)`, {
        file: file.name,
        reason: LogFileErrorReason.TooManyEvents,
        recordNumber: first?.recordNumber,
        byteOffset: first?.byteOffset,
      });
    }
    const documents: IndexableDocument[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      documents[i] = transformRecord(record, file, options, stats);
    }
    stats.documents += documents.length;
    yield documents;
  }
}

/** Like `transformLogFileBatches`, one document at a time. */
export async function* transformLogFile(
  bytes: ByteSource,
  file: LogFileSource,
  options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS,
  stats: TransformStats = newTransformStats(),
): AsyncGenerator<IndexableDocument> {
  for await (const documents of transformLogFileBatches(bytes, file, options, stats)) yield* documents;
}

function transformRecord(
  record: RecordText,
  file: LogFileSource,
  options: TransformOptions,
  stats: TransformStats,
): IndexableDocument {
  let event: unknown;
  const exactNumbers = hasInexactNumber(record.text);
  if (exactNumbers) stats.exactNumberRecords++;
  try {
    event = exactNumbers ? parseKeepingNumberText(record.text) : JSON.parse(record.text);
  } catch (error) {
    throw new LogFileError(`record ${record.recordNumber} is not valid JSON (${(error as Error).message})`, {
      file: file.name,
      reason: LogFileErrorReason.InvalidJson,
      recordNumber: record.recordNumber,
      byteOffset: record.byteOffset + byteOffsetInRecord(record.text, error),
      cause: error,
    });
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new LogFileError(`record ${record.recordNumber} is not a JSON object`, {
      file: file.name,
      reason: LogFileErrorReason.NotCloudTrail,
      recordNumber: record.recordNumber,
      byteOffset: record.byteOffset,
    });
  }
  try {
    return toDocument(event as Record<string, unknown>, file.keyInfo, options);
  } catch (error) {
    // Not expected for any JSON object; kept a file error so one odd record cannot stop a process.
    throw new LogFileError(
      `record ${record.recordNumber} could not be transformed (${(error as Error).message})`,
      {
        file: file.name,
        reason: LogFileErrorReason.InvalidJson,
        recordNumber: record.recordNumber,
        byteOffset: record.byteOffset,
        cause: error,
      },
    );
  }
}

/** V8 reports `... at position N` in UTF-16 units of the text; the byte offset is what locates it in the file. */
function byteOffsetInRecord(text: string, error: unknown): number {
  const position = /at position (\d+)/.exec((error as Error).message)?.[1];
  return position === undefined ? 0 : Buffer.byteLength(text.slice(0, Number(position)));
}
