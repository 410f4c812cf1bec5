import type { ListingCount } from './run-backfill.ts';
import type { SelectedFile } from './selected-files.ts';

/**
 * Lists the whole selection once more, ahead of the work, only counting (files listed, and those a
 * previous run completed): the progress display's totals and ETA, known long before the work's own
 * bounded listing reaches the end. It costs one more set of ListObjectsV2 requests (one per 1,000
 * objects), and no memory.
 */
export async function countSelection(
  files: AsyncIterable<SelectedFile>,
  isDone: (name: string) => boolean,
  into: ListingCount,
  stop: AbortSignal,
): Promise<void> {
  for await (const file of files) {
    if (stop.aborted) return;
    into.listed++;
    if (isDone(file.name)) into.alreadyDone++;
  }
  into.complete = true;
}
