import type { IndexableDocument } from '../../pipeline/indexable-document.ts';
import type { FailureClass } from './classify-failure.ts';
import type { RepairState } from './repair-document.ts';

/** One document on its way through the bulk writer: its current body and what happened so far. */
export interface BulkItem {
  readonly index: string;
  readonly id: string;
  readonly action: string;
  body: string;
  /** Bytes this item adds to a bulk body: action line, document line, two newlines. */
  bytes: number;
  repair?: RepairState;
  lastFailure?: FailureClass;
}

export function bulkItemOf(document: IndexableDocument): BulkItem {
  const action = `{"index":{"_index":${JSON.stringify(document.index)},"_id":${JSON.stringify(document.id)}}}`;
  return {
    index: document.index,
    id: document.id,
    action,
    body: document.body,
    bytes: Buffer.byteLength(action) + Buffer.byteLength(document.body) + 2,
  };
}

export function replaceBody(item: BulkItem, body: string): void {
  item.body = body;
  item.bytes = Buffer.byteLength(item.action) + Buffer.byteLength(body) + 2;
}

/**
 * The NDJSON body of a bulk request, by concatenation: documents arrive serialized once by the
 * transform and are never parsed or re-encoded here.
 */
export function bulkBodyOf(items: readonly BulkItem[]): string {
  let body = '';
  for (const item of items) body += `${item.action}\n${item.body}\n`;
  return body;
}
