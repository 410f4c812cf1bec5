import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliBuild, cliEntry, runUnderGnuTime } from './cli-process.ts';

export interface BackfillRun {
  /** From spawn to exit, measured by this process: what an operator waits. */
  readonly wallSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  readonly maxRssKb: number;
  /** Everything the command wrote to stdout: its summary (and --trace-gc lines, if asked for). */
  readonly stdout: string;
  readonly events: number;
}

export interface BackfillRunOptions {
  readonly build: CliBuild;
  /**
   * A CLI file to run itself, as `npx cloudtrail-indexer` does (its shebang picks the `node` first on
   * PATH), instead of `node` with the build's entry; `nodeArgs` do not apply then.
   */
  readonly executable?: string;
  readonly folder: string;
  readonly concurrency: number;
  /** OPENSEARCH_URL, INDEX_PREFIX, BULK_* ... */
  readonly env: Readonly<Record<string, string>>;
  /** Extra Node flags for the child (e.g. --cpu-prof), passed through NODE_OPTIONS. */
  readonly nodeOptions?: string;
  /** Node flags NODE_OPTIONS does not accept (e.g. --trace-gc), on the command line. */
  readonly nodeArgs?: readonly string[];
}

/**
 * Runs the real `backfill --local` command as its own process under GNU time (peak RSS, CPU), with
 * a fresh checkpoint so every run indexes everything.
 */
export async function runBackfill(options: BackfillRunOptions): Promise<BackfillRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'cti-bench-backfill-'));
  try {
    const args = [
      ...(options.executable ? [] : [...(options.nodeArgs ?? []), cliEntry(options.build)]),
      'backfill',
      '--local',
      options.folder,
      '--concurrency',
      String(options.concurrency),
      '--checkpoint',
      join(scratch, 'checkpoint'),
    ];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      ...options.env,
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    };
    const {
      status,
      stdout,
      stderr,
      wallSeconds,
      timeField: field,
    } = await runUnderGnuTime(args, env, scratch, options.executable);
    const events = Number(/events (\d+),/.exec(stdout)?.[1] ?? Number.NaN);
    if (status !== 0 || !/ 0 failed/.test(stdout)) {
      throw new Error(`backfill failed (exit ${status}):\n${stdout}\n${stderr.slice(-3000)}`);
    }
    return {
      wallSeconds,
      userSeconds: field('User time \\(seconds\\)'),
      systemSeconds: field('System time \\(seconds\\)'),
      maxRssKb: field('Maximum resident set size \\(kbytes\\)'),
      stdout,
      events,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
