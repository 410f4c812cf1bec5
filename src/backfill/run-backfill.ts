import pLimit from 'p-limit';
import { type FileResult, FileStatus } from '../pipeline/file-result.ts';
import type { LogFileRef } from '../pipeline/log-file-ref.ts';
import type { Checkpoint } from './checkpoint.ts';
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
  readonly now?: () => number;
}

/**
 * Runs the selected files through the pipeline with bounded concurrency, recording each completed
 * file in the checkpoint as it completes. Failed files are not recorded, so a rerun retries exactly them.
 */
export async function runBackfill(
  files: readonly LogFileRef[],
  deps: BackfillDeps,
): Promise<BackfillSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const todo = files.filter((file) => !deps.checkpoint.has(file.name));
  const counts = { filesDone: 0, filesTotal: todo.length, events: 0, failed: 0 };
  const failed: Array<{ file: string; reason: string }> = [];
  let indexed = 0;
  let skipped = 0;
  let repaired = 0;
  const limit = pLimit(deps.concurrency);
  deps.progress.update(counts);

  await Promise.all(
    todo.map((file) =>
      limit(async () => {
        // Queued files see the stop here (p-limit's clearQueue would leave their promises pending).
        if (deps.stopTaking.aborted) return;
        const result = await deps.processFile(file, deps.abortInFlight);
        counts.filesDone++;
        counts.events += result.events;
        repaired += result.repaired;
        if (result.status === FileStatus.Indexed || result.status === FileStatus.Skipped) {
          if (result.status === FileStatus.Indexed) indexed++;
          else skipped++;
          await deps.checkpoint.markDone(file.name);
        } else {
          counts.failed++;
          failed.push({ file: file.name, reason: result.reason ?? result.status });
        }
        deps.progress.update(counts);
      }).catch(() => undefined),
    ),
  );
  deps.progress.stop();
  return {
    selected: files.length,
    alreadyDone: files.length - todo.length,
    indexed,
    skipped,
    failed,
    events: counts.events,
    repaired,
    durationMs: now() - started,
    interrupted: deps.stopTaking.aborted && indexed + skipped + failed.length < todo.length,
  };
}
