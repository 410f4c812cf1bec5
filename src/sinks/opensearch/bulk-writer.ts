import type { IndexableDocument } from '../../core/indexable-document.ts';
import {
  type Documents,
  type FileWriteResult,
  readyDocumentsOf,
  type WriteContext,
} from '../../core/sink-port.ts';
import { type BulkItem, bulkItemOf } from './bulk-item.ts';
import type { BulkBufferPool, BulkLines } from './bulk-lines.ts';
import { type DeliveryContext, deliverBatch } from './deliver-batch.ts';
import { FileOutcome } from './file-outcome.ts';
import { inKindOrder } from './kind-order.ts';
import type { Limiter } from './limiter.ts';

export interface BulkLimits {
  /** Upper bound of one bulk body; a single larger document is sent alone. */
  readonly maxBytes: number;
  readonly maxDocuments: number;
}

export type BulkWriterDeps = Omit<DeliveryContext, 'outcome' | 'signal'> & {
  readonly limiter: Limiter;
  /** Process-wide, as the limiter: the buffers batches are written into. */
  readonly buffers: BulkBufferPool;
};

/**
 * Writes one file's documents: creates each index before its first document, groups documents
 * into batches bounded by bytes and count, and keeps the process-wide number of bulk requests in
 * flight within the limiter while reading on. Resolves when every document is accepted or failed.
 * A failure of the document source itself is rethrown after the batches in flight have settled.
 */
export async function writeDocuments(
  documents: Documents,
  context: WriteContext,
  deps: BulkWriterDeps,
  limits: BulkLimits,
): Promise<FileWriteResult> {
  const outcome = new FileOutcome(context.file, deps.logger, deps.counters);
  const delivery: DeliveryContext = context.signal
    ? { ...deps, outcome, signal: context.signal }
    : { ...deps, outcome };
  const inFlight = new Set<Promise<void>>();
  const unusableIndexes = new Map<string, string>();
  let bug: unknown;
  let batch: BulkItem[] = [];
  // The batch's lines, allocated at its first document.
  let lines: BulkLines | undefined;

  const dispatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    let items = batch;
    let written = lines;
    batch = [];
    lines = undefined;
    const ordered = inKindOrder(items);
    if (ordered !== undefined && written !== undefined) {
      // Alike documents side by side compress better in the cluster (kind-order.ts): the lines are
      // copied in that order into another of the pool's buffers, and the first one goes back to it.
      const regrouped = deps.buffers.take(limits.maxBytes);
      regrouped.copy(ordered);
      deps.buffers.give(written);
      items = ordered;
      written = regrouped;
    }
    const release = await deps.limiter.acquire();
    const sending = deliverBatch(items, delivery)
      .catch((error: unknown) => {
        bug ??= error;
      })
      .finally(() => {
        // Delivered or given up: no request will read these lines again.
        if (written) deps.buffers.give(written);
        release();
        inFlight.delete(sending);
      });
    inFlight.add(sending);
  };

  const takeReady = readyDocumentsOf(documents);
  try {
    // The documents the source has in hand are taken without an await in between (see DocumentsInHand).
    reading: for await (const first of documents) {
      for (
        let document: IndexableDocument | undefined = first;
        document !== undefined;
        document = takeReady()
      ) {
        if (context.signal?.aborted) break reading;
        outcome.indexes.add(document.index);
        const refusal = unusableIndexes.get(document.index);
        if (refusal !== undefined) {
          outcome.fail(document, refusal);
          continue;
        }
        if (!deps.indexes.isKnown(document.index)) {
          try {
            await deps.indexes.ensure(document.index);
          } catch (error) {
            // Remembered for this file, so its other documents fail fast instead of retrying again.
            const reason = error instanceof Error ? error.message : String(error);
            unusableIndexes.set(document.index, reason);
            outcome.fail(document, reason);
            continue;
          }
        }
        if (batch.length >= limits.maxDocuments) await dispatch();
        lines ??= deps.buffers.take(limits.maxBytes);
        let item = lines.append(document);
        if (item === undefined && batch.length > 0) {
          // The bound in bytes is the lines' capacity: a batch that cannot take the document is full.
          await dispatch();
          lines = deps.buffers.take(limits.maxBytes);
          item = lines.append(document);
        }
        if (item === undefined) {
          // Larger than a whole bulk body: sent alone, in lines of its own.
          batch.push(bulkItemOf(document));
          await dispatch();
          continue;
        }
        batch.push(item);
      }
    }
    if (context.signal?.aborted) {
      for (const item of batch) outcome.interrupt(item);
    } else {
      await dispatch();
    }
  } finally {
    // Lines of a batch never sent (the source failed, the write was aborted).
    if (lines) deps.buffers.give(lines);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }
  if (bug !== undefined) throw bug;
  if (context.signal?.aborted) outcome.aborted = true;
  return outcome.toResult();
}
