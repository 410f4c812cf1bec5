import type { IndexableDocument } from './indexable-document.ts';

/**
 * The sink port: what the pipeline needs of a sink: one file's documents in, a full account of
 * them out. The OpenSearch sink implements it; the pipeline knows nothing else of it.
 */
export interface DocumentSink {
  writeFile(documents: Documents, context: WriteContext): Promise<FileWriteResult>;
}

export interface WriteContext {
  /** Names the file in logs and in the result (e.g. `s3://bucket/key`). */
  readonly file: string;
  /** Aborting stops reading documents and cuts retry waits short; undelivered documents are `interrupted`. */
  readonly signal?: AbortSignal;
}

export type Documents = AsyncIterable<IndexableDocument> | Iterable<IndexableDocument>;

/**
 * A document source that can also hand out, without an await, the documents it can make from what it
 * already holds (`transformLogFile`: the rest of the chunk in hand); undefined when the next one needs
 * an await. A sink that drains these before awaiting again keeps one file's chunk from waiting while
 * the other files in flight take their turns: what waits that long is promoted to V8's old generation.
 */
export interface DocumentsInHand {
  takeReady(): IndexableDocument | undefined;
}

/** `documents`' takeReady, or a function that never has one ready. */
export function readyDocumentsOf(documents: Documents): () => IndexableDocument | undefined {
  const inHand = documents as Partial<DocumentsInHand>;
  return typeof inHand.takeReady === 'function' ? () => inHand.takeReady!() : () => undefined;
}

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
  /** Documents not delivered because the signal aborted (shutdown); not in `failed`. */
  readonly interrupted: number;
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
