import { isDeepStrictEqual } from 'node:util';
import type { API, Client } from '@opensearch-project/opensearch';
import type { Logger } from 'pino';
import { type BackoffPolicies, backoffDelayMs, type Sleep } from './backoff.ts';
import { type BulkItem, bulkBodyOf, documentText, replaceDocument } from './bulk-item.ts';
import { classifyItemFailure, classifyRequestFailure, type FailureClass } from './classify-failure.ts';
import type { FileOutcome } from './file-outcome.ts';
import type { IndexManager } from './index-manager.ts';
import { repairDocument, serializeRepair, startRepair } from './repair-document.ts';
import type { SinkCounters } from './sink-counters.ts';
import type { SinkHooks } from './sink-hooks.ts';

/** A document refused this many times after repair is reported as failed. */
export const MAX_REPAIR_ROUNDS = 5;
/** A document answered 409 whose holder is then not found is sent again at most this often. */
const MAX_COMPARE_ROUNDS = 2;

export interface DeliveryContext {
  readonly client: Client;
  readonly indexes: IndexManager;
  readonly outcome: FileOutcome;
  readonly logger: Logger;
  readonly counters: SinkCounters;
  readonly hooks: SinkHooks;
  readonly policies: BackoffPolicies;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly now: () => number;
  readonly explicitFields: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}

interface RetryBudget {
  transient: number;
  blocked: number;
}

type ResponseItem = { status: number; error?: Parameters<typeof classifyItemFailure>[1] };

/**
 * The bulk response as the sink reads it: each item's status and error, nothing else. A full answer
 * repeats index, id, version, shards and sequence numbers for every document (about 200 bytes each,
 * a megabyte per 5,000 documents) only to be parsed and dropped. OpenSearch does not filter error
 * responses, so a refused request still carries its reason.
 */
export const BULK_RESPONSE_FILTER = 'errors,items.*.status,items.*.error';

async function send(items: readonly BulkItem[], context: DeliveryContext): Promise<API.Bulk_ResponseBody> {
  const body = bulkBodyOf(items);
  const started = context.now();
  context.counters.bulkRequests += 1;
  let status: 'ok' | 'failed' = 'failed';
  try {
    // The typings only know arrays of objects; the transport sends a Buffer body as it is.
    const response = await context.client.bulk({
      body: body as unknown as API.Bulk_RequestBody,
      filter_path: BULK_RESPONSE_FILTER,
    });
    status = 'ok';
    return response.body;
  } finally {
    context.hooks.onBulkRequest?.({
      documents: items.length,
      bytes: body.length,
      durationMs: context.now() - started,
      status,
    });
  }
}

/**
 * What follows a backoff: send again, give up (the retry budget is spent: the cluster's reason is the
 * verdict), or stop because the signal aborted before or during the wait (shutdown: the cluster's
 * last answer is not the verdict, the items are interrupted).
 */
type AfterBackoff = 'retry' | 'exhausted' | 'aborted';

/** Waits before a retry if the budget allows it and the signal has not aborted. */
async function backOff(
  failure: FailureClass,
  budget: RetryBudget,
  documents: number,
  context: DeliveryContext,
): Promise<AfterBackoff> {
  const which = failure.kind === 'blocked' ? 'blocked' : 'transient';
  const policy = context.policies[which];
  if (context.signal?.aborted) return 'aborted';
  if (budget[which] >= policy.maxRetries) return 'exhausted';
  const delayMs = backoffDelayMs(policy, budget[which], context.random);
  budget[which] += 1;
  context.counters.bulkRetries += 1;
  if (failure.kind === 'blocked') context.outcome.blocked = true;
  if (failure.kind === 'blocked' || failure.kind === 'throttled' || failure.kind === 'unavailable') {
    context.hooks.onPressure?.({ kind: failure.kind, reason: failure.reason, delayMs });
  }
  context.logger.warn(
    {
      file: context.outcome.file,
      kind: failure.kind,
      retry: budget[which],
      delayMs,
      documents,
      reason: failure.reason,
    },
    'bulk write will be retried',
  );
  await context.sleep(delayMs, context.signal);
  return context.signal?.aborted ? 'aborted' : 'retry';
}

function tryRepair(item: BulkItem, failure: FailureClass, context: DeliveryContext): boolean {
  item.repair ??= startRepair(documentText(item));
  if (!item.repair || item.repair.rounds >= MAX_REPAIR_ROUNDS) return false;
  if (!repairDocument(item.repair, failure, context.explicitFields)) return false;
  replaceDocument(item, serializeRepair(item.repair));
  return true;
}

function countPressure(failure: FailureClass, times: number, counters: SinkCounters): void {
  if (failure.kind === 'throttled') counters.throttled += times;
  if (failure.kind === 'blocked') counters.clusterBlocks += times;
}

/** Sorts the items of one response into accepted, to-send-again and failed. */
function sortResponse(
  pending: readonly BulkItem[],
  response: API.Bulk_ResponseBody,
  context: DeliveryContext,
): { again: BulkItem[]; waitFor?: FailureClass; repaired: number; existing: BulkItem[] } {
  const again: BulkItem[] = [];
  const existing: BulkItem[] = [];
  let waitFor: FailureClass | undefined;
  let repaired = 0;
  for (const [position, item] of pending.entries()) {
    const entry = response.items[position];
    const result = (entry?.create ?? entry?.index ?? (entry && Object.values(entry)[0])) as
      | ResponseItem
      | undefined;
    if (!result) {
      context.outcome.fail(item, 'the bulk response holds no result for this document');
      continue;
    }
    if (result.status < 300) {
      context.outcome.accept(item);
      continue;
    }
    const failure = classifyItemFailure(result.status, result.error);
    countPressure(failure, 1, context.counters);
    if (failure.action === 'retry') {
      if (failure.kind === 'missing-index') context.indexes.forget(item.index);
      item.lastFailure = failure;
      // A block outweighs any other transient cause: it decides the (long) wait.
      if (waitFor?.kind !== 'blocked') waitFor = failure;
      again.push(item);
    } else if (failure.action === 'compare') {
      existing.push(item);
    } else if (failure.action === 'repair' && tryRepair(item, failure, context)) {
      repaired += 1;
      again.push(item);
    } else {
      context.outcome.fail(item, failure.reason);
    }
  }
  return waitFor ? { again, waitFor, repaired, existing } : { again, repaired, existing };
}

/** Documents per mget request when comparing with what is indexed. */
const COMPARE_BATCH = 200;

/**
 * Items refused because their `_id` exists already: each is compared with the indexed document. The
 * same content is a redelivery (accepted, nothing written); other content is a conflict, reported and
 * left as it is. Returns the items to send again: the indexed document vanished in between.
 */
async function compareWithIndexed(items: readonly BulkItem[], context: DeliveryContext): Promise<BulkItem[]> {
  const again: BulkItem[] = [];
  for (let start = 0; start < items.length; start += COMPARE_BATCH) {
    const slice = items.slice(start, start + COMPARE_BATCH);
    let docs: Array<{ found?: boolean; _source?: unknown }>;
    try {
      const response = await context.client.mget({
        body: { docs: slice.map((item) => ({ _index: item.index, _id: item.id })) },
      });
      docs = (response.body as { docs?: typeof docs }).docs ?? [];
    } catch (error) {
      const failure = classifyRequestFailure(error);
      for (const item of slice)
        context.outcome.fail(item, `comparing with the indexed document failed: ${failure.reason}`);
      continue;
    }
    for (const [position, item] of slice.entries()) {
      const indexed = docs[position];
      if (!indexed?.found) {
        again.push(item);
        continue;
      }
      if (isDeepStrictEqual(indexed._source, JSON.parse(documentText(item)))) {
        context.outcome.acceptUnchanged(item);
      } else {
        context.outcome.conflict(
          item,
          `${item.index} already holds a document with _id ${JSON.stringify(item.id)} and other content`,
        );
      }
    }
  }
  return again;
}

/** Items whose index vanished are sent again only once it exists again. */
async function recreateMissing(items: BulkItem[], context: DeliveryContext): Promise<BulkItem[]> {
  const ready: BulkItem[] = [];
  for (const item of items) {
    if (item.lastFailure?.kind !== 'missing-index') {
      ready.push(item);
      continue;
    }
    try {
      await context.indexes.ensure(item.index);
      ready.push(item);
    } catch (error) {
      context.outcome.fail(item, error instanceof Error ? error.message : String(error));
    }
  }
  return ready;
}

/**
 * Delivers one batch until every item is accepted or failed: transient failures are retried
 * with backoff within a budget, 413s split the batch, mapping refusals are repaired and sent
 * again. Every item ends in exactly one call of `outcome.accept`, `outcome.fail`, `outcome.conflict`
 * or, when the signal aborts first, `outcome.interrupt`.
 */
export async function deliverBatch(items: BulkItem[], context: DeliveryContext): Promise<void> {
  const budget: RetryBudget = { transient: 0, blocked: 0 };
  let pending = items;
  while (pending.length > 0) {
    if (context.signal?.aborted) {
      // Also where a backoff cut short by the abort lands: items that waited on a 429 are interrupted.
      for (const item of pending) context.outcome.interrupt(item);
      return;
    }
    let response: API.Bulk_ResponseBody;
    try {
      response = await send(pending, context);
    } catch (error) {
      const failure = classifyRequestFailure(error);
      countPressure(failure, 1, context.counters);
      if (failure.action === 'split' && pending.length > 1) {
        context.counters.bulkSplits += 1;
        const half = Math.ceil(pending.length / 2);
        context.logger.warn(
          { file: context.outcome.file, documents: pending.length, reason: failure.reason },
          'bulk request too large; splitting it',
        );
        await deliverBatch(pending.slice(0, half), context);
        await deliverBatch(pending.slice(half), context);
        return;
      }
      // Sent again, or interrupted at the top of the loop when the signal aborted.
      if (
        failure.action === 'retry' &&
        (await backOff(failure, budget, pending.length, context)) !== 'exhausted'
      )
        continue;
      for (const item of pending) context.outcome.fail(item, failure.reason);
      return;
    }

    const { again, waitFor, repaired, existing } = sortResponse(pending, response, context);
    if (existing.length > 0) {
      const vanished = await compareWithIndexed(existing, context);
      // An indexed document deleted between the 409 and the comparison: try once more, then give up.
      for (const item of vanished) {
        item.compared = (item.compared ?? 0) + 1;
        if (item.compared > MAX_COMPARE_ROUNDS)
          context.outcome.fail(item, 'the _id was taken, then vanished');
        else again.push(item);
      }
    }
    if (repaired > 0) {
      context.logger.warn(
        { file: context.outcome.file, documents: repaired },
        'documents refused by the mapping were repaired and are sent again',
      );
    }
    pending = again;
    const next = waitFor ? await backOff(waitFor, budget, pending.length, context) : 'retry';
    // Aborted: the top of the loop interrupts every pending item, the ones that waited included.
    if (next === 'aborted') continue;
    if (next === 'exhausted') {
      // Out of retries: what was waiting for the cluster fails; repaired documents still go.
      pending = pending.filter((item) => {
        if (!item.lastFailure) return true;
        context.outcome.fail(item, item.lastFailure.reason);
        return false;
      });
    }
    pending = await recreateMissing(pending, context);
    for (const item of pending) delete item.lastFailure;
  }
}
