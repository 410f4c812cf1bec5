import { createReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { classifyObjectKey, LogFileKind } from '../core/classify-object-key.ts';
import type { IndexableDocument } from '../core/indexable-document.ts';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import { UsageError } from '../core/operator-error.ts';
import { transformOptionsFrom } from '../pipeline/create-pipeline.ts';
import { skipReasonOf } from '../pipeline/process-log-file.ts';
import type { TransformOptions } from '../pipeline/transform-log-file.ts';
import {
  hostileContentOf,
  newTransformStats,
  transformLogFileBatches,
} from '../pipeline/transform-log-file.ts';
import { actionLine } from '../sinks/opensearch/bulk-item.ts';
import { walkLogFiles } from '../sources/local/walk-log-files.ts';
import { DEFAULT_FLATTEN_KEYS } from '../transforms/flatten-fields.ts';
import { IndexRouting } from '../transforms/route-event.ts';

/**
 * Reads and writes stay below glibc's 128 KiB mmap threshold: freeing a larger buffer raises that
 * threshold for good, and the process then grows its heap in fragments it never returns. Measured on
 * the 200 MB bench file: 256 KiB reads gave a peak RSS of 180 or 400 MB from run to run, 64 KiB a
 * steady 185 MB (bench/RESULTS.md).
 */
const IO_CHUNK_BYTES = 64 * 1024;
/** Output is written in pieces of about this size: few writes, bounded memory. */
const WRITE_CHUNK_CHARS = IO_CHUNK_BYTES;

export interface TransformIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Opens a file's bytes; tests may replace it. */
  readonly open?: (path: string) => AsyncIterable<Uint8Array>;
}

export interface TransformRunSummary {
  files: number;
  documents: number;
  skipped: number;
  failed: number;
}

/** The `_bulk` action line and document line for one document, as the sink sends them. */
export function bulkLines(document: IndexableDocument): string {
  return `${actionLine(document)}${document.body}\n`;
}

export interface TransformRunOptions extends TransformOptions {
  /**
   * Read files whose names are not CloudTrail log file names (renamed copies, fixtures) instead of
   * skipping them as the worker does; their content decides. Digest files are skipped regardless.
   */
  readonly anyName?: boolean;
}

/**
 * Writes to `io.stdout` the OpenSearch `_bulk` NDJSON for the log files at `paths` (files, or folders
 * walked recursively for `.json` and `.json.gz`), in order, touching no network. Files are skipped or
 * read on the same rules as the worker's (by their name), unless `anyName`. One stderr line per
 * skipped or failed file, naming it, and a summary line; the summary's `failed` decides the exit status.
 */
export async function runTransform(
  paths: readonly string[],
  options: TransformRunOptions,
  io: TransformIo,
): Promise<TransformRunSummary> {
  const open = io.open ?? ((path: string) => createReadStream(path, { highWaterMark: IO_CHUNK_BYTES }));
  const summary: TransformRunSummary = { files: 0, documents: 0, skipped: 0, failed: 0 };
  const report = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };

  /** The NDJSON, in pieces of about WRITE_CHUNK_CHARS; stops being pulled when stdout stops reading. */
  async function* ndjson(): AsyncGenerator<string> {
    let pending: string[] = [];
    let pendingChars = 0;
    for (const path of paths) {
      let files: AsyncIterable<string>;
      try {
        files = await listFiles(path);
      } catch (error) {
        summary.failed++;
        report(`error: ${path}: cannot read (${(error as Error).message})`);
        continue;
      }
      for await (const file of files) {
        summary.files++;
        const keyInfo = classifyObjectKey(file);
        const skipped = skipReasonOf(keyInfo, options.anyName);
        if (skipped !== undefined) {
          summary.skipped++;
          const hint = keyInfo.kind === LogFileKind.Other ? ' (--any-name reads it anyway)' : '';
          report(`skipped: ${file}: ${skipped}${hint}`);
          continue;
        }
        const stats = newTransformStats();
        try {
          for await (const batch of transformLogFileBatches(
            open(file),
            { name: file, keyInfo },
            options,
            stats,
          )) {
            for (const document of batch) {
              const lines = bulkLines(document);
              pending.push(lines);
              pendingChars += lines.length;
            }
            if (pendingChars >= WRITE_CHUNK_CHARS) {
              yield pending.join('');
              pending = [];
              pendingChars = 0;
            }
          }
        } catch (error) {
          if (error instanceof LogFileError && error.reason === LogFileErrorReason.DigestFile) {
            summary.skipped++;
            report(`skipped: ${file}: a CloudTrail digest file (by its content), not a log file`);
          } else {
            summary.failed++;
            report(`error: ${error instanceof LogFileError ? error.message : `${file}: ${String(error)}`}`);
          }
        } finally {
          summary.documents += stats.documents;
        }
        const hostile = hostileContentOf(stats);
        if (hostile) {
          // The worker delivers such a file's events, then dead-letters it: the same verdict here.
          summary.failed++;
          report(`rejected: ${file}: ${hostile.reason}`);
        }
        if (
          keyInfo.kind === LogFileKind.Other &&
          options.routing === IndexRouting.FileDate &&
          stats.documents > 0
        ) {
          report(`note: ${file}: the name carries no delivery date, so its events were routed by eventTime`);
        }
      }
    }
    if (pending.length > 0) yield pending.join('');
  }

  // stream.pipeline waits for 'drain' when the reader is slower, and ends the generator when stdout
  // goes away: a closed pipe (`| head`) ends the run quietly. One piece is read ahead at most.
  try {
    await pipeline(Readable.from(ndjson(), { highWaterMark: 1 }), io.stdout, { end: false });
  } catch (error) {
    if (!isClosedPipe(error)) throw error;
  }
  report(
    `transform: ${summary.documents} documents from ${summary.files} files (${summary.skipped} skipped, ${summary.failed} failed)`,
  );
  return summary;
}

/** The reader went away: EPIPE, or the stream destroyed under us. */
function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED';
}

async function listFiles(path: string): Promise<AsyncIterable<string>> {
  // Walk eagerly enough to fail here (missing path) rather than midway through the output.
  const iterator = walkLogFiles(path);
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* iterator;
  })();
}

interface TransformFlags {
  readonly anyName?: boolean;
  readonly routing?: string;
  readonly prefix?: string;
  readonly flattenKeys?: string;
}

/** The variables of the transform: the worker's, so that the output is what the worker would send. */
const TRANSFORM_VARIABLES = [
  'INDEX_ROUTING',
  'INDEX_PREFIX',
  'FLATTEN_KEYS',
  'EVENT_TIME_WINDOW_DAYS',
  'MAX_FIELD_NAME_CHARS',
  'MAX_EXTRA_TOP_LEVEL_KEYS',
  'MAX_DECOMPRESSED_BYTES',
  'MAX_FILE_READ_SECONDS',
  'MAX_EVENTS_PER_FILE',
] as const;

const FLAG_OF: Partial<Record<(typeof TRANSFORM_VARIABLES)[number], string>> = {
  INDEX_ROUTING: '--routing',
  INDEX_PREFIX: '--prefix',
  FLATTEN_KEYS: '--flatten-keys',
};

/**
 * The flags, else the worker's own variables, else the defaults, through the one configuration schema:
 * a wrong value is refused with the schema's sentence, naming the flag (or the variable) given.
 */
export function resolveTransformOptions(
  flags: TransformFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TransformRunOptions {
  const given: Record<string, string | undefined> = Object.fromEntries(
    TRANSFORM_VARIABLES.map((name) => [name, env[name]]),
  );
  if (flags.routing !== undefined) given.INDEX_ROUTING = flags.routing;
  if (flags.prefix !== undefined) given.INDEX_PREFIX = flags.prefix;
  if (flags.flattenKeys !== undefined) given.FLATTEN_KEYS = flags.flattenKeys;
  try {
    return { ...transformOptionsFrom(loadConfig(given)), anyName: flags.anyName === true };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const named = error.problems.map((problem) => {
      const name = problem.slice(0, problem.indexOf(':')) as (typeof TRANSFORM_VARIABLES)[number];
      const flag = FLAG_OF[name];
      return flag ? `${flag} (or ${problem})` : problem;
    });
    throw new UsageError(named.join(' '));
  }
}

/** Registers `cloudtrail-indexer transform`. */
export function registerTransformCommand(program: Command): void {
  program
    .command('transform')
    .description(
      'Print the OpenSearch _bulk NDJSON that CloudTrail log files would produce (no network): ' +
        'an index action line, then the document line, per event. Problems go to stderr, one line per file; ' +
        'the exit status is 1 when any file failed.',
    )
    .argument('<paths...>', 'log files, or folders searched recursively for .json and .json.gz files')
    .addOption(
      new Option(
        '--routing <routing>',
        'which month names the index [env: INDEX_ROUTING] (default: event-time)',
      ).choices(Object.values(IndexRouting)),
    )
    .option(
      '--any-name',
      'also read files whose names are not CloudTrail log file names (the worker skips them); their content decides',
    )
    .addOption(new Option('--prefix <prefix>', 'index name prefix [env: INDEX_PREFIX] (default: cloudtrail)'))
    .addOption(
      new Option(
        '--flatten-keys <keys>',
        `comma-separated top-level keys to flatten [env: FLATTEN_KEYS] (default: ${DEFAULT_FLATTEN_KEYS.join(',')})`,
      ),
    )
    .action(async (paths: string[], flags: TransformFlags) => {
      const options = resolveTransformOptions(flags);
      const summary = await runTransform(paths, options, { stdout: process.stdout, stderr: process.stderr });
      if (summary.failed > 0) process.exitCode = 1;
    });
}
