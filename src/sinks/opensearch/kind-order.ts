import type { BulkItem } from './bulk-item.ts';

/**
 * A batch's items ordered by kind (their eventName), file order kept within a kind; undefined when
 * they are in that order already.
 *
 * Why: OpenSearch compresses `_source` in blocks of consecutive documents, and within a block DEFLATE
 * shares what alike events repeat: their keys, their user agent, their request's shape. Sent in file
 * order, an event rarely has one of its kind within reach. Ordered, the 100k-event workload took 485
 * instead of 562 bytes per event on disk, and OpenSearch no more CPU (bench/RESULTS.md, "mapping
 * cost", row `file-order`). The order of a bulk request's items means nothing else: each has
 * its own `_id` and its own answer (two items with one `_id` are one event, and keep their order).
 */
export function inKindOrder(items: readonly BulkItem[]): BulkItem[] | undefined {
  let ordered = true;
  for (let i = 1; i < items.length && ordered; i++) ordered = compareKinds(items[i - 1]!, items[i]!) <= 0;
  if (ordered) return undefined;
  // Array.prototype.sort is stable.
  return [...items].sort(compareKinds);
}

function compareKinds(a: BulkItem, b: BulkItem): number {
  if (a.kind === b.kind) return 0;
  if (a.kind === undefined) return 1;
  if (b.kind === undefined) return -1;
  return a.kind < b.kind ? -1 : 1;
}
