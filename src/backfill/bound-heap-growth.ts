import { setFlagsFromString } from 'node:v8';

/**
 * The old generation may grow to this percentage above the live heap between full collections,
 * while a backfill lists a bucket.
 *
 * Why: the AWS SDK's XML parser builds every key and tag of a ListObjectsV2 page character by
 * character, about 10 KB of short-lived strings per listed object (sampling heap profiler: 1 GB of
 * 2 GB allocated for 100,000 objects). At that allocation rate V8 lets the old generation grow to two
 * or three times the live heap before collecting it, and the response buffers it promoted wait with
 * it: the live heap stays at ~36 MB, but peak RSS went from 150 MB (10,000 objects, a run too short
 * to reach the first large collection) to 260 MB (100,000 and 400,000 objects). A fixed factor of
 * 1.2 keeps the peak flat (bench/RESULTS.md, "backfill at scale") for ~40% more CPU while listing,
 * which S3's latency hides; the files' processing is unaffected in kind (more, smaller collections).
 */
export const LISTING_HEAP_GROWING_PERCENT = 20;

const FLAG = '--heap-growing-percent';

/** Whether a command line (after `node cli`) is a backfill that lists a bucket. */
export function listsABucket(args: readonly string[]): boolean {
  return args[0] === 'backfill' && args.some((arg) => arg === '--s3' || arg.startsWith('--s3='));
}

/**
 * Fixes V8's heap growing factor for this process, unless the operator chose one (in the Node
 * flags or NODE_OPTIONS). V8 reads the flag at each full collection, so it takes effect from the
 * next one: it must be set before start-up's first (src/bin/bound-heap-growth-early.ts), or the
 * limit that collection sets with the dynamic factor lets the first 70 MB of listing garbage pile up.
 * Returns the flag set, or undefined when the operator's is kept.
 */
export function boundHeapGrowth(
  percent: number = LISTING_HEAP_GROWING_PERCENT,
  nodeFlags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): string | undefined {
  if (nodeFlags.some((flag) => flag.startsWith(FLAG) || flag.startsWith('--heap_growing_percent')))
    return undefined;
  const flag = `${FLAG}=${percent}`;
  setFlagsFromString(flag);
  return flag;
}
