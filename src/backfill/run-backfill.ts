import { describeError } from '../control/describe-error.ts';
import { type FileResult, FileStatus } from '../pipeline/file-result.ts';
import type { LogFileRef } from '../pipeline/log-file-ref.ts';
import type { Checkpoint } from './checkpoint.ts';
import { CheckpointError } from './checkpoint-error.ts';
import type { Progress } from './progress.ts';

export interface BackfillSummary {
  /** Files selected, including those a previous run completed. */
  readonly selected: number;
  /** Completed by a previous run (in the checkpoint), not read again. */
  readonly alreadyDone: number;
  readonly indexed: number;
  readonly skipped: number;
  readonly failed: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  readonly events: number;
  readonly repaired: number;
  readonly durationMs: number;
  /** Stopped by the operator before every file was processed. */
  readonly interrupted: boolean;
  /** The checkpoint could not be written: the run stopped (one sentence naming the file). */
  readonly checkpointError?: string | undefined;
  /** The selection could not be listed to its end: the run stopped (the listing's error). */
  readonly listingError?: string | undefined;
}

/** What a listing running ahead of the work has counted so far: the totals for progress and ETA. */
export interface ListingCount {
  listed: number;
  alreadyDone: number;
  complete: boolean;
}

export interface BackfillDeps {
  processFile(ref: LogFileRef, signal: AbortSignal): Promise<FileResult>;
  readonly checkpoint: Checkpoint;
  readonly concurrency: number;
  readonly progress: Progress;
  /** Aborted: take no new file (files in flight finish). */
  readonly stopTaking: AbortSignal;
  /** Aborted: cut the files in flight short too (they are retried by the next run). */
  readonly abortInFlight: AbortSignal;
  /** Totals from a counting listing ahead of the work; without it, the files taken so far. */
  readonly listing?: ListingCount | undefined;
  readonly now?: () => number;
}

/**
 * Runs the selected files through the pipeline with bounded concurrency, recording each completed
 * file in the checkpoint as it completes. Failed files are not recorded, so a rerun retries exactly
 * them. Nothing is lost silently: a file whose processing throws is a failed file with the error as
 * its reason, and a checkpoint that cannot be written stops the run (files in flight finish).
 */
export async function runBackfill(
  files: Iterable<LogFileRef> | AsyncIterable<LogFileRef>,
  deps: BackfillDeps,
): Promise<BackfillSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  let done = 0;
  let events = 0;
  const failed: Array<{ file: string; reason: string }> = [];
  let selected = 0;
  let alreadyDone = 0;
  let indexed = 0;
  let skipped = 0;
  let repaired = 0;
  let checkpointError: CheckpointError | undefined;
  let listingError: unknown;
  let exhausted = false;
  const stopped = (): boolean =>
    deps.stopTaking.aborted || checkpointError !== undefined || listingError !== undefined;
  const report = (): void => {
    const listing = deps.listing ?? { listed: selected, alreadyDone, complete: exhausted };
    deps.progress.update({
      listed: Math.max(listing.listed, selected),
      alreadyDone: Math.max(listing.alreadyDone, alreadyDone),
      listingComplete: listing.complete || exhausted,
      done,
      failed: failed.length,
      events,
    });
  };

  const process = async (file: LogFileRef): Promise<void> => {
    let result: FileResult;
    try {
      result = await deps.processFile(file, deps.abortInFlight);
    } catch (error) {
      // processFile turns every expected failure into a result; a throw is a bug, and still a failed file.
      result = thrownResult(file, error);
    }
    done++;
    events += result.events;
    repaired += result.repaired;
    if (result.status === FileStatus.Indexed || result.status === FileStatus.Skipped) {
      if (result.status === FileStatus.Indexed) indexed++;
      else skipped++;
      try {
        await deps.checkpoint.markDone(file.name);
      } catch (error) {
        checkpointError ??=
          error instanceof CheckpointError
            ? error
            : new CheckpointError(deps.checkpoint.path, 'write', error);
      }
    } else {
      failed.push({ file: file.name, reason: result.reason ?? result.status });
    }
    report();
  };

  // Each worker takes the next file from the one shared iterator when it is free, so a streamed
  // selection is pulled no faster than it is processed.
  const iterator = toAsyncIterator(files);
  const take = async (): Promise<IteratorResult<LogFileRef>> => {
    try {
      return await iterator.next();
    } catch (error) {
      listingError ??= error;
      exhausted = true;
      return { done: true, value: undefined };
    }
  };
  const worker = async (): Promise<void> => {
    while (!stopped()) {
      const next = await take();
      if (next.done) {
        exhausted = true;
        return;
      }
      selected++;
      if (deps.checkpoint.has(next.value.name)) {
        alreadyDone++;
        continue;
      }
      if (stopped()) return;
      await process(next.value);
    }
  };
  report();
  // The listing moves even while no file completes; the display says so every second.
  const ticker = setInterval(report, 1000);
  ticker.unref();
  try {
    await Promise.all(Array.from({ length: deps.concurrency }, worker));
  } finally {
    clearInterval(ticker);
    if (!exhausted) await iterator.return?.();
    report();
    deps.progress.stop();
  }
  return {
    selected,
    alreadyDone,
    indexed,
    skipped,
    failed,
    events,
    repaired,
    durationMs: now() - started,
    interrupted: deps.stopTaking.aborted && !exhausted && listingError === undefined,
    checkpointError: checkpointError
      ? `${checkpointError.message}: the backfill stopped after the files in flight; rerun it once the checkpoint can be written (files indexed since the last recorded one are indexed again, under the same ids).`
      : undefined,
    listingError: listingError === undefined ? undefined : describeError(listingError),
  };
}

function thrownResult(file: LogFileRef, error: unknown): FileResult {
  return {
    file: file.name,
    status: FileStatus.Retry,
    events: 0,
    repaired: 0,
    failed: 0,
    indexes: [],
    reason: `processing threw: ${describeError(error)}`,
    failure: 'internal-error',
    blocked: false,
    durationMs: 0,
  };
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  const sync = items[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}
