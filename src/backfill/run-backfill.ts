import { describeError } from '../core/describe-error.ts';
import { FailureCode } from '../core/failure-code.ts';
import { type FileResult, FileStatus } from '../core/file-result.ts';
import type { LogFileRef } from '../core/log-file-ref.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { Progress } from './progress.ts';
import { type ListingCount, SelectionCursor, type SelectionRunSummary } from './selection-cursor.ts';

export type { ListingCount } from './selection-cursor.ts';

export interface BackfillSummary extends SelectionRunSummary {
  readonly indexed: number;
  readonly skipped: number;
  readonly events: number;
  readonly repaired: number;
  /**
   * Files cut short by the second signal: not failed (nothing is wrong with them) and not in the
   * checkpoint, so the next run indexes them again, under the same ids.
   */
  readonly cutShort: number;
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
  const cursor = new SelectionCursor(files, deps.checkpoint, deps.stopTaking);
  let done = 0;
  let events = 0;
  let indexed = 0;
  let skipped = 0;
  let repaired = 0;
  // Files cut short by the second signal: the run is interrupted (130), even if the listing was done.
  let cutShort = 0;
  const report = (): void =>
    deps.progress.update(cursor.counts(deps.listing, { done, failed: cursor.failedCount, events }));

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
      await cursor.record(file.name);
    } else if (result.failure === FailureCode.Interrupted) {
      cutShort++;
    } else {
      cursor.fail(file.name, result.reason ?? result.status);
    }
    report();
  };

  const worker = async (): Promise<void> => {
    while (!cursor.stopped) {
      const file = await cursor.take();
      if (!file || cursor.stopped) return;
      await process(file);
    }
  };
  await cursor.run(deps.concurrency, worker, deps.progress, report);
  return {
    selected: cursor.selected,
    alreadyDone: cursor.alreadyDone,
    indexed,
    skipped,
    failed: cursor.failed,
    failedCount: cursor.failedCount,
    events,
    repaired,
    durationMs: now() - started,
    cutShort,
    interrupted: cursor.interrupted || cutShort > 0,
    ...cursor.errors('files indexed since the last recorded one are indexed again, under the same ids'),
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
    failure: FailureCode.InternalError,
    blocked: false,
    durationMs: 0,
  };
}
