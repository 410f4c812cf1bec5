import type { Logger } from 'pino';
import type { DocumentFailure, FileWriteResult } from '../../core/sink-port.ts';
import type { BulkItem } from './bulk-item.ts';
import type { SinkCounters } from './sink-counters.ts';

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
  /** Documents not delivered because the write was aborted (shutdown): neither accepted nor failed. */
  interrupted = 0;
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

  /**
   * Not delivered because the caller aborted (shutdown), whatever the cluster last answered: the
   * document is retried with its file, and counting it as failed (with a 429 as its reason, when the
   * abort came during a backoff wait) would tell the operator the cluster refused what was only cut
   * short. Summed up in the file's summary line, not logged one by one.
   */
  interrupt(_item: Pick<BulkItem, 'id' | 'index'>): void {
    this.interrupted += 1;
    this.aborted = true;
    this.#counters.documentsInterrupted += 1;
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
      // An interrupted document sets `aborted` too.
      ok: this.failed.length === 0 && !this.aborted,
      accepted: this.accepted,
      interrupted: this.interrupted,
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
