import { describeError } from '../core/describe-error.ts';
import type { Checkpoint } from './checkpoint.ts';
import { CheckpointError } from './checkpoint-error.ts';
import type { Progress, ProgressCounts } from './progress.ts';

/** What a listing running ahead of the work has counted so far: the totals for progress and ETA. */
export interface ListingCount {
  listed: number;
  alreadyDone: number;
  complete: boolean;
}

/** What every run over a selection reports, whichever driver worked it (index here, or enqueue). */
export interface SelectionRunSummary {
  /** Files selected, including those a previous run completed. */
  readonly selected: number;
  /** Completed by a previous run (in the checkpoint), not done again. */
  readonly alreadyDone: number;
  /** Files that failed, with their reasons: the first LISTED_FAILURES of them (see `failedCount`). */
  readonly failed: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  /** Every file that failed: a rerun retries exactly these (they are not in the checkpoint). */
  readonly failedCount: number;
  readonly durationMs: number;
  /** Stopped by the operator before every file was taken. */
  readonly interrupted: boolean;
  /** The checkpoint could not be written: the run stopped (one sentence naming the file). */
  readonly checkpointError?: string | undefined;
  /** The selection could not be listed to its end: the run stopped (the listing's error). */
  readonly listingError?: string | undefined;
}

/**
 * Failed files a summary lists by name; the rest are only counted, so a run where everything fails
 * (a revoked role, a cluster gone read-only) holds a bounded list, not one entry per file of the
 * selection.
 */
export const LISTED_FAILURES = 100;

/** The summary's failed files, one line each, and how many more there were beyond those listed. */
export function formatFailures(summary: SelectionRunSummary): string[] {
  const lines = summary.failed.map((failure) => `    ${failure.file}: ${failure.reason}`);
  const more = summary.failedCount - summary.failed.length;
  if (more > 0) lines.push(`    ... and ${more} more (not listed here; a rerun retries them too)`);
  return lines;
}

/**
 * The shared state of a run over a streamed selection, for the backfill's two drivers (index here,
 * or enqueue for the fleet): the one iterator every worker takes from (so the selection is pulled
 * no faster than it is worked), skipping what the checkpoint holds; the first listing or checkpoint
 * error, each of which stops the run; and the progress display, refreshed every second while the
 * listing moves even if no file completes.
 */
export class SelectionCursor<T extends { readonly name: string }> {
  selected = 0;
  alreadyDone = 0;
  exhausted = false;
  failedCount = 0;
  /** The first LISTED_FAILURES failed files. */
  readonly failed: Array<{ file: string; reason: string }> = [];
  listingError: unknown;
  checkpointError: CheckpointError | undefined;
  readonly #iterator: AsyncIterator<T>;
  readonly #checkpoint: Checkpoint;
  readonly #stopTaking: AbortSignal;

  constructor(items: Iterable<T> | AsyncIterable<T>, checkpoint: Checkpoint, stopTaking: AbortSignal) {
    this.#iterator = toAsyncIterator(items);
    this.#checkpoint = checkpoint;
    this.#stopTaking = stopTaking;
  }

  /** Stopped by the operator, by a checkpoint that cannot be written, or by a listing that failed. */
  get stopped(): boolean {
    return this.#stopTaking.aborted || this.checkpointError !== undefined || this.listingError !== undefined;
  }

  get interrupted(): boolean {
    return this.#stopTaking.aborted && !this.exhausted && this.listingError === undefined;
  }

  /** The next file not in the checkpoint; undefined at the end of the selection or when it cannot be listed. */
  async take(): Promise<T | undefined> {
    while (!this.exhausted) {
      let next: IteratorResult<T>;
      try {
        next = await this.#iterator.next();
      } catch (error) {
        this.listingError ??= error;
        this.exhausted = true;
        return undefined;
      }
      if (next.done) {
        this.exhausted = true;
        return undefined;
      }
      this.selected++;
      if (!this.#checkpoint.has(next.value.name)) return next.value;
      this.alreadyDone++;
    }
    return undefined;
  }

  /** Counts a failed file, and keeps its name and reason if fewer than LISTED_FAILURES are kept. */
  fail(file: string, reason: string): void {
    this.failedCount++;
    if (this.failed.length < LISTED_FAILURES) this.failed.push({ file, reason });
  }

  /** Records a file as done; a failure is kept (it stops the run) rather than thrown. */
  async record(name: string): Promise<void> {
    try {
      await this.#checkpoint.markDone(name);
    } catch (error) {
      this.checkpointError ??=
        error instanceof CheckpointError ? error : new CheckpointError(this.#checkpoint.path, 'write', error);
    }
  }

  /** The counts for the display: the counting listing's totals when there is one, else what was taken. */
  counts(
    listing: ListingCount | undefined,
    work: Omit<ProgressCounts, 'listed' | 'alreadyDone' | 'listingComplete'>,
  ): ProgressCounts {
    const ahead = listing ?? {
      listed: this.selected,
      alreadyDone: this.alreadyDone,
      complete: this.exhausted,
    };
    return {
      listed: Math.max(ahead.listed, this.selected),
      alreadyDone: Math.max(ahead.alreadyDone, this.alreadyDone),
      listingComplete: ahead.complete || this.exhausted,
      ...work,
    };
  }

  /** Runs `concurrency` workers to the end, with the display refreshed every second. */
  async run(
    concurrency: number,
    worker: () => Promise<void>,
    progress: Progress,
    report: () => void,
  ): Promise<void> {
    report();
    const ticker = setInterval(report, 1000);
    ticker.unref();
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      clearInterval(ticker);
      if (!this.exhausted) await this.#iterator.return?.();
      report();
      progress.stop();
    }
  }

  /** The stop's sentences for the summary. */
  errors(whatIsRedone: string): { checkpointError?: string; listingError?: string } {
    return {
      ...(this.checkpointError
        ? {
            checkpointError: `${this.checkpointError.message}: the backfill stopped; rerun it once the checkpoint can be written (${whatIsRedone}).`,
          }
        : {}),
      ...(this.listingError !== undefined ? { listingError: describeError(this.listingError) } : {}),
    };
  }
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  const sync = items[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}
