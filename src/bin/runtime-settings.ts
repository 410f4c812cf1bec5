import { isMainThread } from 'node:worker_threads';

/**
 * The Node and C-library settings every command runs with, however it is started (`npx
 * cloudtrail-indexer`, `node dist/bin/cli.js`, `node src/bin/cli.ts`, the container image). Each one
 * bounds memory that otherwise grows with the machine, not with the work (bench/RESULTS.md, "memory as
 * users run it"):
 * - `--max-semi-space-size=4` (MB): V8 sizes its young generation for the machine's memory (tens of MB
 *   per semi-space on 24 GB) and keeps it; almost nothing survives a scavenge here, so 4 MB costs no
 *   measurable CPU.
 * - `MALLOC_MMAP_THRESHOLD_`: a fixed threshold turns off glibc's dynamic one, which rises after the
 *   first large buffer (a 5 MB bulk body) is freed, so that later large buffers come from the heap, do
 *   not go back to the system and the peak comes out about twice as high on some runs.
 * - `MALLOC_ARENA_MAX`: one arena per thread that allocates (V8's and libuv's) otherwise, each holding
 *   its own freed memory.
 * Only glibc reads the MALLOC_ variables; elsewhere they are inert.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/**
 * For a backfill, the old generation may grow only this percentage above the live heap between full
 * collections. What a backfill allocates is mostly short-lived, but enough of it lives through two
 * scavenges (a file's batch waiting for a bulk slot, its records and documents in between) to reach the
 * old generation, and V8's dynamic factor lets that garbage pile up to two or three times the live
 * heap (~20 MB) before it collects:
 * - `--local` of the 100k workload into a real cluster: peak RSS 165-183 MB without the fixed factor,
 *   136-149 MB with it, for ~18 % more CPU (bench/RESULTS.md, "memory as users run it"); the 200 MB
 *   file, into a stand-in cluster, 125-146 MB -> 106-112 MB for ~6 % more;
 * - `--s3`: the AWS SDK's XML parser builds every key and tag of a ListObjectsV2 page character by
 *   character, ~10 KB of short-lived strings per listed object; peak RSS went from 150 MB (10,000
 *   objects) to 260 MB (100,000 and 400,000), flat with the fixed factor ("backfill at scale"), for
 *   ~40 % more CPU while listing, which S3's latency hides.
 * Given at start-up: the limit that start-up's first full collection sets with the dynamic factor
 * would otherwise let the first tens of MB of garbage pile up.
 */
export const BACKFILL_HEAP_GROWING_PERCENT = 20;

/** Whether a command line (after `node cli`) is a backfill. */
export function isBackfill(args: readonly string[]): boolean {
  return args[0] === 'backfill';
}

/** The Node flags for a command line (after `node cli`): every command's, and its own. */
export function nodeFlagsFor(args: readonly string[]): readonly string[] {
  return isBackfill(args)
    ? [...NODE_FLAGS, `--heap-growing-percent=${BACKFILL_HEAP_GROWING_PERCENT}`]
    : NODE_FLAGS;
}

export interface MissingSettings {
  readonly flags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * What this process lacks. An operator's own choice wins: a flag counts as given whatever its value, on
 * Node's command line or in NODE_OPTIONS (`--max-semi-space-size=0` is V8's own sizing), a variable
 * that is set at all counts as given, and `GLIBC_TUNABLES`, set at all (even empty, glibc's defaults),
 * means glibc is tuned by the operator.
 */
export function missingSettings(
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
  flags: readonly string[] = NODE_FLAGS,
): MissingSettings {
  // V8 takes its flags with dashes or underscores alike.
  const name = (arg: string): string => (arg.split('=')[0] ?? '').replaceAll('_', '-');
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map(name);
  const mallocTuned = env.GLIBC_TUNABLES !== undefined;
  return {
    flags: flags.filter((flag) => !given.includes(name(flag))),
    env: Object.fromEntries(
      Object.entries(MALLOC_ENV).filter(([name]) => !mallocTuned && env[name] === undefined),
    ),
  };
}

/**
 * Replaces this process, before anything heavy is loaded, with the same command under the settings it
 * lacks: same pid, arguments, stdio and signals (execve(2), so an orchestrator or a shell sees one
 * process). Returns only when nothing is missing, or where the process cannot be replaced (Windows, a
 * worker thread), which then runs as it is. V8's heap and glibc's allocator read their settings only at
 * start-up, which is why they cannot be applied from inside.
 */
export function applyRuntimeSettings(): void {
  const missing = missingSettings(process.execArgv, process.env, nodeFlagsFor(process.argv.slice(2)));
  if (missing.flags.length === 0 && Object.keys(missing.env).length === 0) return;
  if (typeof process.execve !== 'function' || !isMainThread) return;
  process.execve(
    process.execPath,
    [process.execPath, ...missing.flags, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...missing.env },
  );
}
