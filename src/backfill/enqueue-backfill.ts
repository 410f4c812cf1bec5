import { describeError } from '../core/describe-error.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { Progress } from './progress.ts';
import type { SelectedFile } from './selected-files.ts';
import { type ListingCount, SelectionCursor, type SelectionRunSummary } from './selection-cursor.ts';

/** SendMessageBatch takes at most 10 messages. */
export const BATCH_SIZE = 10;

export interface BatchEntry {
  readonly id: string;
  readonly body: string;
}

/** What SendMessageBatch refused, by entry id: `retry` for SQS's own trouble, not for a bad entry. */
export interface BatchFailure {
  readonly id: string;
  readonly reason: string;
  readonly retry: boolean;
}

export interface EnqueueSummary extends SelectionRunSummary {
  readonly enqueued: number;
  /** Time spent waiting for the queue's backlog to fall under the bound. */
  readonly waitedMs: number;
}

export interface EnqueueDeps {
  /** SendMessageBatch; resolves with the entries SQS refused (a rejected call fails the whole batch). */
  sendBatch(entries: readonly BatchEntry[]): Promise<readonly BatchFailure[]>;
  /** Messages the queue holds now (waiting, in flight and delayed). */
  backlog(): Promise<number>;
  /** The notification announcing one file. */
  notification(file: SelectedFile): string;
  /** Enqueue only while the queue holds fewer messages than this. */
  readonly maxBacklog: number;
  readonly checkpoint: Checkpoint;
  /** Batches in flight at once. */
  readonly concurrency: number;
  readonly progress: Progress;
  readonly stopTaking: AbortSignal;
  readonly listing?: ListingCount | undefined;
  /** How long to wait before looking at the backlog again when it is over the bound. */
  readonly backlogPollMs?: number;
  /** Attempts for entries SQS refuses for its own reasons (throttling, internal errors). */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Sends the selection to the worker's queue as S3 event notifications, 10 per SendMessageBatch,
 * so the whole worker fleet shares the backfill with its ack, retry and dead-letter semantics. A
 * backlog bound keeps it from drowning the live stream: a batch goes out only while the queue holds
 * fewer than `maxBacklog` messages (the depth is read again after every `maxBacklog / 10` batches
 * or so, and while over the bound every `backlogPollMs`). Each file is recorded in the checkpoint
 * once SQS has accepted its message, so a rerun enqueues only the rest.
 */
export async function enqueueBackfill(
  files: AsyncIterable<SelectedFile>,
  deps: EnqueueDeps,
): Promise<EnqueueSummary> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = deps.attempts ?? 5;
  const started = now();
  const cursor = new SelectionCursor(files, deps.checkpoint, deps.stopTaking);
  let enqueued = 0;
  let waitedMs = 0;

  // The backlog as last read, plus what this run sent since: read again once the estimate nears the bound.
  let knownBacklog = 0;
  let sentSinceRead = Number.POSITIVE_INFINITY;
  /**
   * Waits until the queue has room, then reserves it for `count` messages. One caller at a time, so
   * concurrent batches add up (a depth read can still miss the batches in flight: the bound may be
   * passed by at most one batch per `concurrency`).
   */
  let roomLock: Promise<void> = Promise.resolve();
  const waitForRoom = (count: number): Promise<void> => {
    const turn = roomLock.then(() => findRoom(count));
    roomLock = turn.catch(() => undefined);
    return turn;
  };
  const findRoom = async (count: number): Promise<void> => {
    for (;;) {
      if (
        sentSinceRead >= Math.max(BATCH_SIZE, deps.maxBacklog / 10) ||
        knownBacklog + sentSinceRead >= deps.maxBacklog
      ) {
        knownBacklog = await deps.backlog();
        sentSinceRead = 0;
      }
      if (knownBacklog + sentSinceRead < deps.maxBacklog || cursor.stopped) {
        sentSinceRead += count;
        return;
      }
      const waitStarted = now();
      await sleep(deps.backlogPollMs ?? 5000);
      waitedMs += now() - waitStarted;
      sentSinceRead = Number.POSITIVE_INFINITY;
    }
  };

  const report = (): void =>
    deps.progress.update(
      cursor.counts(deps.listing, {
        done: enqueued + cursor.failedCount,
        failed: cursor.failedCount,
        events: 0,
      }),
    );

  const send = async (batch: readonly SelectedFile[]): Promise<void> => {
    let pending = batch.map((file, n) => ({ file, entry: { id: String(n), body: deps.notification(file) } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      let refused: readonly BatchFailure[];
      try {
        refused = await deps.sendBatch(pending.map((p) => p.entry));
      } catch (error) {
        refused = pending.map((p) => ({ id: p.entry.id, reason: describeError(error), retry: true }));
      }
      const byId = new Map(refused.map((failure) => [failure.id, failure]));
      const accepted = pending.filter((p) => !byId.has(p.entry.id));
      sentSinceRead -= pending.length - accepted.length;
      for (const { file } of accepted) {
        enqueued++;
        await cursor.record(file.name);
      }
      const again: typeof pending = [];
      for (const p of pending) {
        const failure = byId.get(p.entry.id);
        if (!failure) continue;
        if (failure.retry && attempt < attempts && !deps.stopTaking.aborted) {
          again.push(p);
          sentSinceRead += 1;
        } else cursor.fail(p.file.name, `not enqueued: ${failure.reason}`);
      }
      pending = again;
      if (pending.length > 0) await sleep(Math.min(200 * 2 ** attempt, 5000));
    }
    report();
  };

  const worker = async (): Promise<void> => {
    while (!cursor.stopped && !cursor.exhausted) {
      const batch: SelectedFile[] = [];
      while (batch.length < BATCH_SIZE && !cursor.stopped) {
        const file = await cursor.take();
        if (!file) break;
        batch.push(file);
      }
      if (batch.length === 0) return;
      await waitForRoom(batch.length);
      if (deps.stopTaking.aborted) return;
      await send(batch);
    }
  };
  await cursor.run(deps.concurrency, worker, deps.progress, report);
  return {
    selected: cursor.selected,
    alreadyDone: cursor.alreadyDone,
    enqueued,
    failed: cursor.failed,
    failedCount: cursor.failedCount,
    durationMs: now() - started,
    waitedMs,
    interrupted: cursor.interrupted,
    ...cursor.errors(
      'files enqueued since the last recorded one are enqueued again, and their events found already indexed',
    ),
  };
}
