import { pino } from 'pino';
import { classifyObjectKey, LogFileKind } from '../core/classify-object-key.ts';
import type { CommandIo } from '../core/command-io.ts';
import { HOSTILE_FLAGS } from '../core/event-flags.ts';
import { type FileResult, FileStatus } from '../core/file-result.ts';
import { processLogFile, skipReasonOf } from '../pipeline/process-log-file.ts';
import type { TransformOptions } from '../pipeline/transform-log-file.ts';
import { BulkNdjsonSink } from '../sinks/opensearch/bulk-ndjson-sink.ts';
import { localLogFileRef } from '../sources/local/local-log-file-ref.ts';
import { walkLogFiles } from '../sources/local/walk-log-files.ts';
import { IndexRouting } from '../transforms/route-event.ts';

/** `transform` writes the NDJSON on stdout, one line per skipped or failed file and a summary on stderr. */
export type TransformIo = CommandIo;

export interface TransformRunSummary {
  files: number;
  documents: number;
  skipped: number;
  failed: number;
}

export interface TransformRunOptions extends TransformOptions {
  /**
   * Read files whose names are not CloudTrail log file names (renamed copies, fixtures) instead of
   * skipping them as the worker does; their content decides. Digest files are skipped regardless.
   */
  readonly anyName?: boolean;
}

const HOSTILE: ReadonlySet<string> = HOSTILE_FLAGS;

/** The pipeline's per-file summary lines are the worker's; `transform` reports on stderr instead. */
const QUIET = pino({ level: 'silent' });

/**
 * Writes to `io.stdout` the OpenSearch `_bulk` NDJSON for the log files at `paths` (files, or folders
 * walked recursively for `.json` and `.json.gz`), in order, touching no network: each file goes
 * through the worker's own `processLogFile`, into a sink that prints what the OpenSearch sink would
 * send. So files are skipped, read and judged on the worker's rules (by their name, unless `anyName`).
 * One stderr line per skipped or failed file, naming it, and a summary line; the summary's `failed`
 * decides the exit status. A reader that goes away (`| head`) ends the run quietly.
 */
export async function runTransform(
  paths: readonly string[],
  options: TransformRunOptions,
  io: TransformIo,
): Promise<TransformRunSummary> {
  const sink = new BulkNdjsonSink(io.stdout);
  const deps = { sink, transform: options, logger: QUIET };
  const summary: TransformRunSummary = { files: 0, documents: 0, skipped: 0, failed: 0 };
  const report = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };

  run: for (const path of paths) {
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
      const before = sink.documents;
      const result = await processLogFile(localLogFileRef(file, options.anyName), deps);
      if (sink.closed) break run;
      const keyInfo = classifyObjectKey(file);
      if (result.status === FileStatus.Skipped) {
        summary.skipped++;
        if (skipReasonOf(keyInfo, options.anyName) === undefined) {
          report(`skipped: ${file}: a CloudTrail digest file (by its content), not a log file`);
        } else {
          const hint = keyInfo.kind === LogFileKind.Other ? ' (--any-name reads it anyway)' : '';
          report(`skipped: ${file}: ${result.reason}${hint}`);
        }
      } else if (result.status !== FileStatus.Indexed) {
        summary.failed++;
        report(problemLine(result));
      }
      if (
        keyInfo.kind === LogFileKind.Other &&
        options.routing === IndexRouting.FileDate &&
        sink.documents > before
      ) {
        report(`note: ${file}: the name carries no delivery date, so its events were routed by eventTime`);
      }
    }
  }
  await sink.end();
  // What reached stdout, including the documents of files that failed midway (as the worker would
  // have delivered them before the failure).
  summary.documents = sink.documents;
  report(
    `transform: ${summary.documents} documents from ${summary.files} files (${summary.skipped} skipped, ${summary.failed} failed)`,
  );
  return summary;
}

/**
 * The stderr line of a file that failed: `rejected:` when its events were all written but its content
 * is hostile (the worker delivers such a file, then dead-letters it), `error:` otherwise, with the
 * problem's sentence, which names the file (the result's reason without its leading code).
 */
function problemLine(result: FileResult): string {
  const reason = result.reason ?? 'unknown';
  if (result.status === FileStatus.Rejected && result.failure !== undefined && HOSTILE.has(result.failure)) {
    return `rejected: ${result.file}: ${reason}`;
  }
  const code = `${result.failure}: `;
  const sentence =
    result.failure !== undefined && reason.startsWith(code) ? reason.slice(code.length) : reason;
  return `error: ${sentence.startsWith(`${result.file}: `) ? sentence : `${result.file}: ${sentence}`}`;
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
