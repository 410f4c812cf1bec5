import type { Logger } from 'pino';
import type { BulkItem } from './bulk-item.ts';
import type { SinkCounters } from './sink-counters.ts';

export interface DocumentFailure {
  readonly id: string;
  readonly index: string;
  readonly reason: string;
}

/** What happened to one file's documents. Only `ok` files may be acknowledged. */
export interface FileWriteResult {
  readonly file: string;
  /** Every document of the file was accepted by OpenSearch (some perhaps after repair). */
  readonly ok: boolean;
  /** Documents accepted, repaired ones included. */
  readonly accepted: number;
  /** Accepted documents that had to be repaired to fit the mapping. */
  readonly repaired: number;
  readonly failed: readonly DocumentFailure[];
  /**
   * Documents not written because their `_id` holds other content, indexed from another file: the
   * earlier document stays. Not a failure a retry can mend; the file is reported for it.
   */
  readonly conflicts: readonly DocumentFailure[];
  /** Accepted documents that were already indexed with the same content (a redelivery). */
  readonly unchanged: number;
  readonly indexes: readonly string[];
  /** A cluster write block was met: the caller should stop taking new work until writes succeed. */
  readonly blocked: boolean;
  /** Writing stopped early because the caller's signal aborted (shutdown). */
  readonly aborted: boolean;
}

/** Individual failure lines per file; the rest are summed up in one line. */
const LOGGED_FAILURES_PER_FILE = 10;

/** Accumulates the per-document outcomes of one file; each document is counted exactly once. */
export class FileOutcome {
  readonly file: string;
  readonly #logger: Logger;
  readonly #counters: SinkCounters;
  readonly indexes = new Set<string>();
  readonly failed: DocumentFailure[] = [];
  readonly conflicts: DocumentFailure[] = [];
  accepted = 0;
  unchanged = 0;
  repaired = 0;
  blocked = false;
  aborted = false;

  constructor(file: string, logger: Logger, counters: SinkCounters) {
    this.file = file;
    this.#logger = logger;
    this.#counters = counters;
  }

  accept(item: BulkItem): void {
    this.accepted += 1;
    this.#counters.documentsAccepted += 1;
    if (item.repair) {
      this.repaired += 1;
      this.#counters.documentsRepaired += 1;
      this.#logger.debug(
        { file: this.file, id: item.id, index: item.index, fields: item.repair.fields },
        'indexed repaired document',
      );
    }
  }

  /** Already indexed with the same content: a redelivery, accepted as it is. */
  acceptUnchanged(item: BulkItem): void {
    this.unchanged += 1;
    this.#counters.documentsUnchanged += 1;
    this.accept(item);
  }

  conflict(item: Pick<BulkItem, 'id' | 'index'>, reason: string): void {
    this.conflicts.push({ id: item.id, index: item.index, reason });
    this.#counters.documentsConflicting += 1;
    if (this.conflicts.length <= LOGGED_FAILURES_PER_FILE) {
      this.#logger.error(
        { file: this.file, id: item.id, index: item.index, reason },
        'document not written: its _id holds other content, indexed from another file',
      );
    }
  }

  fail(item: Pick<BulkItem, 'id' | 'index'>, reason: string): void {
    this.failed.push({ id: item.id, index: item.index, reason });
    this.#counters.documentsFailed += 1;
    if (this.failed.length <= LOGGED_FAILURES_PER_FILE) {
      this.#logger.error({ file: this.file, id: item.id, index: item.index, reason }, 'document not indexed');
    }
  }

  toResult(): FileWriteResult {
    if (this.failed.length > LOGGED_FAILURES_PER_FILE) {
      this.#logger.error(
        { file: this.file, failed: this.failed.length, logged: LOGGED_FAILURES_PER_FILE },
        'more documents not indexed than logged one by one',
      );
    }
    return {
      file: this.file,
      ok: this.failed.length === 0 && !this.aborted,
      accepted: this.accepted,
      repaired: this.repaired,
      failed: this.failed,
      conflicts: this.conflicts,
      unchanged: this.unchanged,
      indexes: [...this.indexes].sort(),
      blocked: this.blocked,
      aborted: this.aborted,
    };
  }
}
