import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { classifyObjectKey, LogFileKind } from '../core/classify-object-key.ts';
import type { IndexableDocument } from '../core/indexable-document.ts';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import type { TransformOptions } from '../pipeline/transform-log-file.ts';
import {
  hostileContentOf,
  newTransformStats,
  transformLogFileBatches,
} from '../pipeline/transform-log-file.ts';
import { actionLine } from '../sinks/opensearch/bulk-item.ts';
import { walkLogFiles } from '../sources/local/walk-log-files.ts';
import { DEFAULT_FLATTEN_KEYS } from '../transforms/flatten-fields.ts';
import { DEFAULT_INDEX_PREFIX, IndexRouting } from '../transforms/route-event.ts';

/** Same rule as INDEX_PREFIX in the configuration. */
const INDEX_PREFIX_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
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
  const out = new BulkWriter(io.stdout);
  const summary: TransformRunSummary = { files: 0, documents: 0, skipped: 0, failed: 0 };
  const report = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };

  for (const path of paths) {
    if (out.closed) break;
    let files: AsyncIterable<string>;
    try {
      files = await listFiles(path);
    } catch (error) {
      summary.failed++;
      report(`error: ${path}: cannot read (${(error as Error).message})`);
      continue;
    }
    for await (const file of files) {
      if (out.closed) break;
      summary.files++;
      const keyInfo = classifyObjectKey(file);
      if (keyInfo.kind === LogFileKind.Digest || (keyInfo.kind === LogFileKind.Other && !options.anyName)) {
        summary.skipped++;
        const hint = keyInfo.kind === LogFileKind.Other ? ' (--any-name reads it anyway)' : '';
        report(`skipped: ${file}: ${keyInfo.reason}${hint}`);
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
          for (const document of batch) out.add(bulkLines(document));
          await out.flushIfFull();
          if (out.closed) break;
        }
      } catch (error) {
        if (error instanceof LogFileError && error.reason === LogFileErrorReason.DigestFile) {
          summary.skipped++;
          report(`skipped: ${file}: a CloudTrail digest file (by its content), not a log file`);
        } else {
          summary.failed++;
          report(`error: ${error instanceof LogFileError ? error.message : `${file}: ${String(error)}`}`);
        }
      }
      summary.documents += stats.documents;
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
  await out.flush();
  report(
    `transform: ${summary.documents} documents from ${summary.files} files (${summary.skipped} skipped, ${summary.failed} failed)`,
  );
  return summary;
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

/** Buffers lines into large writes and waits for 'drain' when the reader is slower than us. */
class BulkWriter {
  readonly #stream: Writable;
  #pending: string[] = [];
  #pendingChars = 0;
  #closed = false;

  constructor(stream: Writable) {
    this.#stream = stream;
    // A closed pipe (`| head`) ends the run quietly instead of crashing it.
    stream.on('error', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed || this.#stream.destroyed;
  }

  add(text: string): void {
    this.#pending.push(text);
    this.#pendingChars += text.length;
  }

  async flushIfFull(): Promise<void> {
    if (this.#pendingChars >= WRITE_CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0 || this.closed) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    if (!this.#stream.write(text)) {
      await drained(this.#stream);
    }
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

function parseFlattenKeys(list: string): string[] {
  return list
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

interface TransformFlags {
  readonly anyName?: boolean;
  readonly routing?: string;
  readonly prefix?: string;
  readonly flattenKeys?: string;
}

/** An unset or empty variable is no setting, as in the configuration (compose and ECS pass `NAME=`). */
function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The flags, else the worker's own variables (INDEX_ROUTING, INDEX_PREFIX, FLATTEN_KEYS), else the
 * defaults: the output is what the worker, configured the same way, would send.
 */
function resolveOptions(flags: TransformFlags): TransformRunOptions | string {
  const routing = flags.routing ?? fromEnv('INDEX_ROUTING') ?? IndexRouting.EventTime;
  if (!(Object.values(IndexRouting) as string[]).includes(routing)) {
    return `--routing (or INDEX_ROUTING): expected one of ${Object.values(IndexRouting).join(', ')}, got ${JSON.stringify(routing)}`;
  }
  const prefix = flags.prefix ?? fromEnv('INDEX_PREFIX') ?? DEFAULT_INDEX_PREFIX;
  if (!INDEX_PREFIX_PATTERN.test(prefix)) {
    return `--prefix (or INDEX_PREFIX): expected a lowercase index name prefix (a-z, 0-9, "-", "_", "."), got ${JSON.stringify(prefix)}`;
  }
  const keys = flags.flattenKeys ?? fromEnv('FLATTEN_KEYS');
  const bounds = boundsFromEnv();
  if (typeof bounds === 'string') return bounds;
  return {
    ...bounds,
    anyName: flags.anyName === true,
    routing: routing as IndexRouting,
    indexPrefix: prefix,
    flattenKeys: keys === undefined ? DEFAULT_FLATTEN_KEYS : parseFlattenKeys(keys),
  };
}

const BOUND_VARIABLES = [
  'EVENT_TIME_WINDOW_DAYS',
  'MAX_FIELD_NAME_CHARS',
  'MAX_EXTRA_TOP_LEVEL_KEYS',
  'MAX_DECOMPRESSED_BYTES',
  'MAX_FILE_READ_SECONDS',
  'MAX_EVENTS_PER_FILE',
] as const;

/** The worker's bounds on hostile input, from the same variables and schema, so the output is the worker's. */
function boundsFromEnv():
  | Pick<
      TransformRunOptions,
      'eventTimeWindowDays' | 'keyLimits' | 'maxDecompressedBytes' | 'maxReadSeconds' | 'maxEvents'
    >
  | string {
  const env = Object.fromEntries(BOUND_VARIABLES.map((name) => [name, process.env[name]]));
  try {
    const config = loadConfig(env);
    return {
      eventTimeWindowDays: config.EVENT_TIME_WINDOW_DAYS,
      maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES,
      maxReadSeconds: config.MAX_FILE_READ_SECONDS,
      maxEvents: config.MAX_EVENTS_PER_FILE,
      keyLimits: {
        maxFieldNameChars: config.MAX_FIELD_NAME_CHARS,
        maxExtraTopLevelKeys: config.MAX_EXTRA_TOP_LEVEL_KEYS,
      },
    };
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join(' ');
    throw error;
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
    .action(async (paths: string[], flags: TransformFlags, command: Command) => {
      const options = resolveOptions(flags);
      if (typeof options === 'string') command.error(`error: ${options}`);
      const summary = await runTransform(paths, options, { stdout: process.stdout, stderr: process.stderr });
      if (summary.failed > 0) process.exitCode = 1;
    });
}
