import type { IndexableDocument } from '../../core/indexable-document.ts';
import { actionLine, type BulkItem } from './bulk-item.ts';

const NEWLINE = 0x0a;

/**
 * One batch's bulk lines, written back to back into one buffer as the batch fills, so that the batch's
 * first request sends a view of that buffer, not a copy; its items' `lines` are views of it, valid
 * until the batch is delivered, when the buffer goes back to its pool.
 */
export class BulkLines {
  readonly buffer: Buffer;
  #used = 0;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  /** The document's item, its lines written after the others; undefined when they do not fit. */
  append(document: IndexableDocument): BulkItem | undefined {
    const start = this.#used;
    const afterAction = this.#write(actionLine(document), start);
    if (afterAction === undefined) return undefined;
    const afterDocument = this.#write(document.body, afterAction);
    if (afterDocument === undefined || afterDocument >= this.buffer.length) return undefined;
    this.buffer[afterDocument] = NEWLINE;
    this.#used = afterDocument + 1;
    return {
      index: document.index,
      id: document.id,
      lines: this.buffer.subarray(start, this.#used),
      documentStart: afterAction - start,
      kind: document.kind,
    };
  }

  /**
   * Writes the items' lines after the others, in the order given, and points each item at its copy:
   * how a batch is reordered (kind-order.ts) without a buffer the pool does not know of.
   */
  copy(items: readonly BulkItem[]): void {
    for (const item of items) {
      const start = this.#used;
      if (start + item.lines.length > this.buffer.length) throw new RangeError('the lines do not fit');
      item.lines.copy(this.buffer, start);
      this.#used = start + item.lines.length;
      item.lines = this.buffer.subarray(start, this.#used);
    }
  }

  /** Where `text` ends once written at `at`, or undefined when it does not fit. */
  #write(text: string, at: number): number | undefined {
    if (at >= this.buffer.length) return undefined;
    const written = this.buffer.write(text, at);
    // A write stops short only at the end of the buffer, and never within a character (so at most 3
    // bytes before the end): farther from the end it was whole.
    if (this.buffer.length - (at + written) < 4 && Buffer.byteLength(text) !== written) return undefined;
    return at + written;
  }
}

/**
 * The buffers of the batches being written, reused from batch to batch. A buffer per batch that is
 * left to the garbage collector stays allocated until V8's next full collection, and V8 starts one for
 * such buffers only once 64 MB more of them are allocated than at the previous one: with a buffer per
 * bulk item and a copy per request, as before, that was 57-64 MB of the backfill's peak RSS
 * (bench/RESULTS.md, cli-memory). Reused, they cost what the batches in progress at once hold. They are
 * allocated at the bound's size outside Node's pool: pages no batch reached are never touched, so they
 * cost address space, not memory. Once no batch has been in progress for a second, the pool lets them
 * go, so that an idle worker does not keep them.
 */
export class BulkBufferPool {
  readonly #free: Buffer[] = [];
  #inUse = 0;
  #idle: NodeJS.Timeout | undefined;

  /** A batch's lines, in a buffer of `capacity` bytes: give it back once the batch is delivered. */
  take(capacity: number): BulkLines {
    this.#inUse += 1;
    clearTimeout(this.#idle);
    const at = this.#free.findIndex((buffer) => buffer.length === capacity);
    const buffer = at >= 0 ? this.#free.splice(at, 1)[0]! : Buffer.allocUnsafeSlow(capacity);
    return new BulkLines(buffer);
  }

  /** The batch is delivered (or given up): nothing reads its items' lines any more. */
  give(lines: BulkLines): void {
    this.#inUse -= 1;
    this.#free.push(lines.buffer);
    if (this.#inUse === 0) {
      this.#idle = setTimeout(() => {
        this.#free.length = 0;
      }, 1000);
      this.#idle.unref();
    }
  }

  /** Buffers kept for reuse (for tests). */
  get free(): number {
    return this.#free.length;
  }
}
