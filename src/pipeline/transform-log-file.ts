import type { ByteSource } from '../core/byte-source.ts';
import type { ObjectKeyInfo } from '../core/classify-object-key.ts';
import { type EventFlag, type HostileFlag, isHostileFlag } from '../core/event-flags.ts';
import type { IndexableDocument } from '../core/indexable-document.ts';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import { hasInexactNumber, parseKeepingNumberText } from '../core/parse-lossless.ts';
import type { RecordText } from '../core/record-text.ts';
import type { DocumentsInHand } from '../core/sink-port.ts';
import type { ReadLogRecordsOptions } from '../sources/read-log-records.ts';
import { readLogRecordBatches } from '../sources/read-log-records.ts';
import { DEFAULT_FLATTEN_KEYS } from '../transforms/flatten-fields.ts';
import { DEFAULT_INDEX_PREFIX, IndexRouting } from '../transforms/route-event.ts';
import type { DocumentOptions } from '../transforms/to-document.ts';
import { toDocument } from '../transforms/to-document.ts';

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
  /** Documents carrying each flag (see event-flags.ts), and the record number of the first one. */
  readonly flagged: Map<EventFlag, { count: number; firstRecord: number }>;
  /** Top-level names CloudTrail does not define that the file's events kept as fields (MAX_EXTRA_TOP_LEVEL_KEYS). */
  readonly extraKeys: Set<string>;
}

export function newTransformStats(): TransformStats {
  return { documents: 0, exactNumberRecords: 0, flagged: new Map(), extraKeys: new Set() };
}

/**
 * `transformLogFile`'s documents gathered one batch per decompressed chunk, for the benchmarks that
 * build bulk bodies or time the transform (bench/transform.ts, bench/upper-bound.ts): the same code
 * path as the product's, the same documents and errors. A chunk whose record fails is not yielded.
 */
export async function* transformLogFileBatches(
  bytes: ByteSource,
  file: LogFileSource,
  options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS,
  stats: TransformStats = newTransformStats(),
): AsyncGenerator<IndexableDocument[]> {
  const documents = transformLogFile(bytes, file, options, stats);
  try {
    for (;;) {
      const first = await documents.next();
      if (first.done === true) return;
      const batch = [first.value];
      for (let document = documents.takeReady(); document !== undefined; document = documents.takeReady())
        batch.push(document);
      yield batch;
    }
  } finally {
    await documents.return?.();
  }
}

function countFlags(flags: readonly EventFlag[], recordNumber: number, stats: TransformStats): void {
  for (const flag of flags) {
    const seen = stats.flagged.get(flag);
    if (seen === undefined) stats.flagged.set(flag, { count: 1, firstRecord: recordNumber });
    else seen.count += 1;
  }
}

const FLAG_SENTENCES: Record<EventFlag, string> = {
  'folded-keys': 'hostile top-level keys (too long, too many, or not field names), folded into indexerFolded',
  'event-time-outside-window':
    "an eventTime outside EVENT_TIME_WINDOW_DAYS of the file's delivery, routed to the file's month",
  'account-mismatch': "a recipientAccountId other than the key's account",
};

/**
 * Why a file whose events were all delivered must still be set aside: it holds events no real
 * CloudTrail file does (see HOSTILE_FLAGS). `failure` is the first such flag, as a short code.
 */
export function hostileContentOf(
  stats: TransformStats,
): { failure: HostileFlag; reason: string } | undefined {
  const found = [...stats.flagged].filter(([flag]) => isHostileFlag(flag));
  const failure = found.map(([flag]) => flag).find(isHostileFlag);
  if (failure === undefined) return undefined;
  const parts = found.map(
    ([flag, seen]) =>
      `${seen.count} of ${stats.documents} events had ${FLAG_SENTENCES[flag]} (first: record ${seen.firstRecord})`,
  );
  return { failure, reason: `${failure}: hostile content: ${parts.join('; ')}` };
}

/** The flag counts of a file, for its summary line and metrics; undefined when no event was flagged. */
export function flagCountsOf(stats: TransformStats): Partial<Record<EventFlag, number>> | undefined {
  if (stats.flagged.size === 0) return undefined;
  return Object.fromEntries([...stats.flagged].map(([flag, seen]) => [flag, seen.count]));
}

/**
 * One log file in, its documents out, one at a time, each record transformed only when its document
 * is asked for: the function the worker, the backfill and the `transform` command share. Streams:
 * memory holds one chunk and its records, whatever the file size. Any problem with the file ends the
 * iteration with a `LogFileError` naming the file and the record or byte offset; documents handed out
 * before it are valid (their `_id`s make a retry harmless), but the file as a whole has failed.
 *
 * Written as an iterator rather than an async generator (`yield* documents`): a generator's every
 * yield goes through its own promise queue and an await, ~0.9 µs per document, where this one answers
 * from the records in hand (~0.25 µs; measured with 100,000 documents in batches of 35). Breaking out
 * closes the reader, and so the file; so does a record that fails (the documents before it in its
 * chunk have been handed out by then).
 *
 * Lazy, and letting go of each record once transformed, so that neither a chunk's documents nor its
 * record texts wait in memory while the consumer works through them: with several files in flight,
 * what waits outlives V8's young generation (a few MB of allocation by the other files) and is
 * promoted to the old generation, to be freed only by a full collection (the 100k workload, 4 files
 * at once: ~170 MB promoted, which the heap growing limit of a backfill turns into ~40 full collections).
 */
export function transformLogFile(
  bytes: ByteSource,
  file: LogFileSource,
  options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS,
  stats: TransformStats = newTransformStats(),
): AsyncIterableIterator<IndexableDocument> & DocumentsInHand {
  const batches = readLogRecordBatches(bytes, file.name, options);
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  let records: Array<RecordText | undefined> = [];
  let at = 0;
  const drop = (): void => {
    records = [];
    at = 0;
  };
  // A record that fails, or a batch past MAX_EVENTS_PER_FILE, ends the file here, outside the reader:
  // it is closed (and with it the file) as a throw in a `for await` over it would, since a consumer
  // whose next() rejects does not call return(). Its own error on closing is not the file's failure.
  const failed = (error: unknown): never => {
    drop();
    batches.return(undefined).catch(() => {});
    throw error;
  };
  const transformNext = (): IndexableDocument => {
    const record = records[at]!;
    // Dropped as soon as it is transformed; `undefined` keeps the array's elements packed.
    records[at++] = undefined;
    let document: IndexableDocument;
    try {
      document = transformRecord(record, file, options, stats);
    } catch (error) {
      return failed(error);
    }
    if (document.flags !== undefined) countFlags(document.flags, record.recordNumber, stats);
    stats.documents += 1;
    return document;
  };
  const nextBatch = async (): Promise<IteratorResult<IndexableDocument>> => {
    while (at >= records.length) {
      drop();
      const next = await batches.next();
      if (next.done === true) return { done: true, value: undefined };
      try {
        checkEventCount(next.value, stats.documents, maxEvents, file);
      } catch (error) {
        failed(error);
      }
      records = next.value;
    }
    return { done: false, value: transformNext() };
  };
  return {
    next: () => {
      if (at >= records.length) return nextBatch();
      try {
        return Promise.resolve({ done: false, value: transformNext() });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    takeReady: () => (at < records.length ? transformNext() : undefined),
    return: async () => {
      drop();
      await batches.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A file with more than MAX_EVENTS_PER_FILE events fails once a batch of records takes it past the limit. */
function checkEventCount(
  records: readonly RecordText[],
  documents: number,
  maxEvents: number,
  file: LogFileSource,
): void {
  if (documents + records.length <= maxEvents) return;
  const first = records[maxEvents - documents];
  throw new LogFileError(`the file holds more than ${maxEvents} events (MAX_EVENTS_PER_FILE)`, {
    file: file.name,
    reason: LogFileErrorReason.TooManyEvents,
    recordNumber: first?.recordNumber,
    byteOffset: first?.byteOffset,
  });
}

function transformRecord(
  record: RecordText,
  file: LogFileSource,
  options: TransformOptions,
  stats: TransformStats,
): IndexableDocument {
  let event: unknown;
  // The splitter has already looked at every number; only the records it flagged need the text scan.
  const exactNumbers = record.plainNumbers !== true && hasInexactNumber(record.text);
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
    return toDocument(event as Record<string, unknown>, file.keyInfo, options, stats);
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
