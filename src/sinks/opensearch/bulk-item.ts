import type { IndexableDocument } from '../../core/indexable-document.ts';
import type { FailureClass } from './classify-failure.ts';
import type { RepairState } from './repair-document.ts';

/** One document on its way through the bulk writer: its current bulk lines and what happened so far. */
export interface BulkItem {
  readonly index: string;
  readonly id: string;
  /**
   * The item's part of a bulk body, the action line and the document line, each ending in a newline,
   * UTF-8 encoded once. Kept as bytes rather than strings: a batch lives for thousands of events, long
   * enough for its strings to be promoted to V8's old generation, where they would pile up as garbage
   * between full collections (measured: peak RSS 450 MB against 60 MB of live data; see bench/RESULTS.md).
   * Bytes live outside the JS heap; what the collector sees of them is one small object per document.
   * Normally a view of its batch's buffer (bulk-lines.ts), valid until the batch is delivered; bytes of
   * its own for a repaired document or one larger than a whole bulk body (`bulkItemOf`).
   */
  lines: Buffer;
  /** Where the document line starts in `lines`. */
  readonly documentStart: number;
  /** The document's kind (IndexableDocument.kind): what a batch is ordered by before it is sent. */
  readonly kind?: string | undefined;
  repair?: RepairState;
  lastFailure?: FailureClass;
  /** Times a 409 sent it to be compared with the indexed document, which was then not found. */
  compared?: number;
}

/**
 * `create`, not `index`: a document is written once and never replaced. Redelivering a file is still
 * harmless (the same content answers 409 and is found identical), but a file bringing another
 * document under an `_id` already indexed can no longer silently overwrite it: it is reported.
 */
export function actionLine(document: Pick<IndexableDocument, 'index' | 'id'>): string {
  return `{"create":{"_index":${JSON.stringify(document.index)},"_id":${JSON.stringify(document.id)}}}\n`;
}

/** An item in bytes of its own: a document too large to share a batch's buffer. */
export function bulkItemOf(document: IndexableDocument): BulkItem {
  const action = actionLine(document);
  return {
    index: document.index,
    id: document.id,
    lines: Buffer.from(`${action}${document.body}\n`),
    documentStart: Buffer.byteLength(action),
    kind: document.kind,
  };
}

/** The document line as sent (without its newline): what a repair starts from. */
export const documentText = (item: BulkItem): string =>
  item.lines.toString('utf8', item.documentStart, item.lines.length - 1);

export function replaceDocument(item: BulkItem, body: string): void {
  item.lines = Buffer.concat([item.lines.subarray(0, item.documentStart), Buffer.from(`${body}\n`)]);
}

/** Bytes this item adds to a bulk body. */
export const bulkItemBytes = (item: BulkItem): number => item.lines.length;

/**
 * The NDJSON body of a bulk request: a view when the items lie back to back in one buffer (a batch's
 * first request), a concatenation otherwise (a retry of some of them, a repaired document). Documents
 * arrive serialized once by the transform and are never parsed or re-encoded here.
 */
export function bulkBodyOf(items: readonly BulkItem[]): Buffer {
  const first = items[0]?.lines;
  if (first === undefined) return Buffer.alloc(0);
  let end = first.byteOffset;
  for (const item of items) {
    if (item.lines.buffer !== first.buffer || item.lines.byteOffset !== end)
      return Buffer.concat(items.map((each) => each.lines));
    end += item.lines.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
