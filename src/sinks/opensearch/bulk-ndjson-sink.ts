import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DocumentSink, Documents, FileWriteResult, WriteContext } from '../../core/sink-port.ts';
import { actionLine } from './bulk-item.ts';

/**
 * Output is handed on in pieces of about this many characters: few writes, bounded memory (one piece
 * waits at most). Below glibc's 128 KiB mmap threshold, as the reads are (local-log-file-ref.ts).
 */
export const NDJSON_PIECE_CHARS = 64 * 1024;

/**
 * The sink of `transform`: the `_bulk` NDJSON the OpenSearch sink would send (its action line, then
 * the document line, per document), written to a stream instead of a cluster.
 *
 * One `stream.pipeline` carries every file's output to `out` for the whole run: it waits for 'drain'
 * when the reader is slower, and a reader that goes away (EPIPE, `| head`) ends it quietly, after
 * which `closed` is true and writes stop. (One pipeline per file would leave its listeners on `out`
 * each time: stream.pipeline does not remove them from a destination it does not end.) Call `end()`
 * once the last file is written.
 */
export class BulkNdjsonSink implements DocumentSink {
  readonly #feed: Readable;
  readonly #delivered: Promise<void>;
  #wantsMore: (() => void) | undefined;
  #documents = 0;
  #closed = false;
  #failure: { error: unknown } | undefined;

  constructor(out: Writable) {
    this.#feed = new Readable({ highWaterMark: NDJSON_PIECE_CHARS, read: () => this.#wake() });
    this.#delivered = pipeline(this.#feed, out, { end: false }).catch((error: unknown) => {
      if (!isClosedPipe(error)) this.#failure = { error };
      this.#closed = true;
      this.#wake();
    });
  }

  /** Documents written so far, over every file: those of a file that failed midway too. */
  get documents(): number {
    return this.#documents;
  }

  /** Nothing more can be written: the reader went away (or the output failed, which `end()` throws). */
  get closed(): boolean {
    return this.#closed;
  }

  async writeFile(documents: Documents, context: WriteContext): Promise<FileWriteResult> {
    const indexes = new Set<string>();
    let accepted = 0;
    let pending: string[] = [];
    let pendingChars = 0;
    const flush = async (): Promise<boolean> => {
      const piece = pending.join('');
      pending = [];
      pendingChars = 0;
      return this.#push(piece);
    };
    try {
      for await (const document of documents) {
        if (this.#closed || context.signal?.aborted) break;
        const lines = `${actionLine(document)}${document.body}\n`;
        pending.push(lines);
        pendingChars += lines.length;
        accepted++;
        this.#documents++;
        indexes.add(document.index);
        if (pendingChars >= NDJSON_PIECE_CHARS && !(await flush())) break;
      }
    } finally {
      // The documents before a failure midway are written all the same, as the worker would have
      // delivered them; the failure then goes up to the pipeline.
      if (pending.length > 0) await flush();
    }
    const aborted = this.#closed || context.signal?.aborted === true;
    return {
      file: context.file,
      ok: !aborted,
      accepted,
      repaired: 0,
      failed: [],
      interrupted: 0,
      conflicts: [],
      unchanged: 0,
      indexes: [...indexes],
      blocked: false,
      aborted,
    };
  }

  /** Ends the output (`out` itself stays open) once everything is written; throws what failed it. */
  async end(): Promise<void> {
    if (!this.#closed) this.#feed.push(null);
    await this.#delivered;
    if (this.#failure) throw this.#failure.error;
  }

  /** Hands a piece on; waits while one is already waiting. False once nothing more can be written. */
  async #push(piece: string): Promise<boolean> {
    if (this.#closed) return false;
    if (!this.#feed.push(piece)) {
      await new Promise<void>((resolve) => {
        this.#wantsMore = resolve;
      });
    }
    return !this.#closed;
  }

  #wake(): void {
    const wake = this.#wantsMore;
    this.#wantsMore = undefined;
    wake?.();
  }
}

/** The reader went away: EPIPE, or the stream destroyed under us. */
function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED';
}
