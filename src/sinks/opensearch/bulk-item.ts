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
   */
  lines: Buffer;
  /** Where the document line starts in `lines`. */
  readonly documentStart: number;
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

export function bulkItemOf(document: IndexableDocument): BulkItem {
  const action = actionLine(document);
  return {
    index: document.index,
    id: document.id,
    lines: Buffer.from(`${action}${document.body}\n`),
    documentStart: Buffer.byteLength(action),
  };
}

/** Bytes this item adds to a bulk body. */
export const bulkItemBytes = (item: BulkItem): number => item.lines.length;

/** The document line as sent (without its newline): what a repair starts from. */
export const documentText = (item: BulkItem): string =>
  item.lines.toString('utf8', item.documentStart, item.lines.length - 1);

export function replaceDocument(item: BulkItem, body: string): void {
  item.lines = Buffer.concat([item.lines.subarray(0, item.documentStart), Buffer.from(`${body}\n`)]);
}

/**
 * The NDJSON body of a bulk request, by concatenation: documents arrive serialized once by the
 * transform and are never parsed or re-encoded here.
 */
export function bulkBodyOf(items: readonly BulkItem[]): Buffer {
  return Buffer.concat(items.map((item) => item.lines));
}
