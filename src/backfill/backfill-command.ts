import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from 'pino';
import type { ConfigWith } from '../config.ts';
import { listenForShutdown } from '../control/shutdown-signals.ts';
import type { CommandIo } from '../core/command-io.ts';
import { describeError } from '../core/describe-error.ts';
import type { Selection } from '../core/log-file-selection.ts';
import { ExitCode, OperatorError } from '../core/operator-error.ts';
import { createPipeline } from '../pipeline/create-pipeline.ts';
import type { ListingStats } from '../sources/s3/list-log-files.ts';
import { Checkpoint } from './checkpoint.ts';
import { CheckpointError } from './checkpoint-error.ts';
import { countSelection } from './count-selection.ts';
import { formatPlan, PlanSummary } from './dry-run.ts';
import type { EnqueueSummary } from './enqueue-backfill.ts';
import { createProgress } from './progress.ts';
import { type BackfillSummary, type ListingCount, runBackfill } from './run-backfill.ts';
import {
  localSelectedFiles,
  mapStream,
  nonEmpty,
  type SelectedFile,
  type SelectedFiles,
} from './selected-files.ts';
import { formatFailures } from './selection-cursor.ts';

/** What to backfill and how, from the command's flags (bin/backfill.ts checks them). */
export interface BackfillRequest {
  readonly source:
    | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
    | { readonly kind: 'local'; readonly folder: string };
  /** The source as the operator gave it (`--s3` or `--local`), for the sentences naming it. */
  readonly given: string;
  readonly selection: Selection;
  readonly concurrency: number;
  readonly listConcurrency: number;
  readonly maxBacklog: number;
  readonly checkpointPath?: string | undefined;
  /**
   * `dry-run`: print the plan; `index-here`: this process indexes, through the pipeline; `via-queue`:
   * the selection goes to the worker fleet's queue as S3 event notifications.
   */
  readonly mode:
    | { readonly kind: 'dry-run' }
    | { readonly kind: 'index-here'; readonly config: ConfigWith<'OPENSEARCH_URL'> }
    | { readonly kind: 'via-queue'; readonly config: ConfigWith<'QUEUE_URL'> };
}

export interface BackfillWiring {
  /** The S3 client of an `s3` source (destroyed at the end). */
  readonly s3: S3Client | undefined;
  readonly logger: Logger;
  readonly io: CommandIo;
  /** Progress lines for a terminal (else log lines). */
  readonly tty: boolean;
  /**
   * The SQS and SSM clients of `via-queue`, built only when it starts: every other backfill would
   * pay ~10 MB of RSS for their modules.
   */
  readonly queueClients?: () => Promise<{ readonly sqs: SQSClient; readonly ssm: SSMClient }>;
}

/** Thrown to cli.ts, which prints the sentence and ends with the status. */
const fail = (message: string, exitCode: ExitCode = ExitCode.BadConfiguration): never => {
  throw new OperatorError(message, { exitCode });
};

/**
 * The backfill command: lists the selection as a stream (bounded ahead, never held whole), then
 * prints the plan, indexes here, or enqueues for the fleet. Returns the exit status: 0 all done, 1 some
 * files failed, 130 interrupted; what stops it (no match, a listing or checkpoint that fails, an
 * unreachable bucket) is thrown as an `OperatorError`.
 */
export async function runBackfillCommand(request: BackfillRequest, wiring: BackfillWiring): Promise<number> {
  const { s3, io } = wiring;
  const maxBytes =
    request.mode.kind === 'index-here' ? request.mode.config.MAX_OBJECT_BYTES : Number.MAX_SAFE_INTEGER;
  const listing: ListingStats = { requests: 0, leafPrefixes: [] };
  let source: string;
  let files: SelectedFiles;
  try {
    if (request.source.kind === 's3' && s3) {
      const location = { bucket: request.source.bucket, prefix: request.source.prefix };
      source = `s3://${location.bucket}/${location.prefix}`;
      // Loaded only for an S3 source: a local backfill loads no S3 SDK.
      const [{ checkBucketReachable }, { s3SelectedFiles }] = await Promise.all([
        import('../sources/s3/check-bucket.ts'),
        import('./s3-selected-files.ts'),
      ]);
      await checkBucketReachable(s3, location.bucket);
      files = s3SelectedFiles(s3, location, request.selection, {
        maxBytes,
        concurrency: request.listConcurrency,
        stats: listing,
        logger: wiring.logger,
      });
    } else {
      source = (request.source as { folder: string }).folder;
      files = localSelectedFiles(source, request.selection);
    }
  } catch (error) {
    s3?.destroy();
    throw error;
  }
  const cannotList = (error: unknown): never => {
    s3?.destroy();
    return fail(`cannot list ${request.given} (${describeError(error)}).`, ExitCode.Failed);
  };
  const noMatch = (): never => {
    s3?.destroy();
    return fail(`no CloudTrail log files in ${source} match the selection.`, ExitCode.Failed);
  };

  if (request.mode.kind === 'dry-run') {
    const plan = new PlanSummary();
    try {
      for await (const file of files()) plan.add(file);
    } catch (error) {
      return cannotList(error);
    }
    s3?.destroy();
    if (plan.files === 0) return noMatch();
    io.stdout.write(`${formatPlan(plan.groups())}\n`);
    return ExitCode.Ok;
  }
  let work: AsyncIterable<SelectedFile> | undefined;
  try {
    work = await nonEmpty(files());
  } catch (error) {
    return cannotList(error);
  }
  if (!work) return noMatch();

  // A via-queue backfill records what it enqueued, not what was indexed: a checkpoint of its own.
  const mode = request.mode;
  const selectionKey =
    JSON.stringify(request.selection) +
    (mode.kind === 'via-queue' ? `\nvia-queue ${mode.config.QUEUE_URL}` : '');
  let checkpoint: Checkpoint;
  try {
    checkpoint = await Checkpoint.open(
      request.checkpointPath ?? Checkpoint.defaultPath(source, selectionKey),
    );
  } catch (error) {
    s3?.destroy();
    if (error instanceof CheckpointError) return fail(`${error.message}.`);
    throw error;
  }
  const run = { files, work, checkpoint, source, listing };
  return mode.kind === 'via-queue'
    ? enqueueForTheFleet(request, wiring, mode.config, run)
    : indexHere(request, wiring, mode.config, run);
}

interface SelectionRun {
  readonly files: SelectedFiles;
  readonly work: AsyncIterable<SelectedFile>;
  readonly checkpoint: Checkpoint;
  readonly source: string;
  readonly listing: ListingStats;
}

async function indexHere(
  request: BackfillRequest,
  wiring: BackfillWiring,
  config: ConfigWith<'OPENSEARCH_URL'>,
  { files, work, checkpoint, source, listing }: SelectionRun,
): Promise<number> {
  const { s3, logger, io } = wiring;
  const pipeline = createPipeline(config, logger);
  try {
    await pipeline.sink.prepare();
  } catch (error) {
    await pipeline.close();
    return fail((error as Error).message);
  }

  const signals = listenForShutdown((_, count) => {
    if (count === 1)
      io.stderr.write('\nbackfill: stopping after the files in flight (Ctrl-C again to stop at once)\n');
  });
  let summary: BackfillSummary;
  let closeError: Error | undefined;
  const stopCounting = new AbortController();
  try {
    // A second listing runs ahead, only counting, for the totals and the ETA.
    const listingCount: ListingCount = { listed: 0, alreadyDone: 0, complete: false };
    void countSelection(files(), (name) => checkpoint.has(name), listingCount, stopCounting.signal).catch(
      (error: unknown) => {
        if (!stopCounting.signal.aborted)
          logger.warn({ err: error }, 'the counting listing failed: no totals or ETA');
      },
    );
    summary = await runBackfill(
      mapStream(work, (file) => file.ref()),
      {
        listing: listingCount,
        processFile: (ref, signal) => pipeline.processFile(ref, signal),
        checkpoint,
        concurrency: request.concurrency,
        progress: createProgress({ tty: wiring.tty, logger }),
        stopTaking: signals.stopTaking,
        abortInFlight: signals.stopNow,
      },
    );
  } finally {
    stopCounting.abort();
    signals.dispose();
    closeError = await closeQuietly(checkpoint);
    await pipeline.close();
    s3?.destroy();
  }
  logger.debug({ requests: listing.requests, prefixes: listing.leafPrefixes.length }, 'bucket listed');
  io.stdout.write(`${formatSummary(summary, checkpoint.path)}\n`);
  return exitStatusOf(summary, source, closeError);
}

async function enqueueForTheFleet(
  request: BackfillRequest,
  wiring: BackfillWiring,
  config: ConfigWith<'QUEUE_URL'>,
  { files, work, checkpoint, source }: SelectionRun,
): Promise<number> {
  const { s3, io } = wiring;
  // Loaded only for --via-queue, as its clients are (BackfillWiring.queueClients).
  const { backfillViaQueue, formatEnqueueSummary } = await import('./enqueue-via-queue.ts');
  const clients = await (wiring.queueClients as NonNullable<BackfillWiring['queueClients']>)();
  const signals = listenForShutdown((_, count) => {
    if (count === 1) io.stderr.write('\nbackfill: stopping after the batches in flight\n');
  });
  let summary: EnqueueSummary;
  let closeError: Error | undefined;
  try {
    summary = await backfillViaQueue({
      files,
      work,
      checkpoint,
      s3: s3 as S3Client,
      sqs: clients.sqs,
      ssm: clients.ssm,
      source,
      queueUrl: config.QUEUE_URL,
      pauseParameterName: config.PAUSE_PARAMETER_NAME,
      maxBacklog: request.maxBacklog,
      concurrency: request.concurrency,
      logger: wiring.logger,
      stopTaking: signals.stopTaking,
      tty: wiring.tty,
    });
  } finally {
    signals.dispose();
    closeError = await closeQuietly(checkpoint);
    s3?.destroy();
  }
  io.stdout.write(`${formatEnqueueSummary(summary, checkpoint.path, config.QUEUE_URL)}\n`);
  return exitStatusOf(summary, source, closeError);
}

/** The checkpoint's own close failure, kept for after the summary is printed. */
function closeQuietly(checkpoint: Checkpoint): Promise<Error | undefined> {
  return checkpoint.close().then(
    () => undefined,
    (error: unknown) => error as Error,
  );
}

/** The end of either run, after its summary: what stopped it is thrown, else 130, 1 or 0. */
function exitStatusOf(
  summary: BackfillSummary | EnqueueSummary,
  source: string,
  closeError: Error | undefined,
): number {
  if (summary.listingError)
    return fail(
      `cannot list ${source} to its end (${summary.listingError}); rerun the same command to go on.`,
      ExitCode.Failed,
    );
  if (summary.checkpointError) return fail(summary.checkpointError, ExitCode.Failed);
  if (closeError) return fail(`${closeError.message}.`, ExitCode.Failed);
  if (summary.interrupted) return ExitCode.Interrupted;
  return summary.failedCount > 0 ? ExitCode.Failed : ExitCode.Ok;
}

function formatSummary(summary: BackfillSummary, checkpointPath: string): string {
  const seconds = summary.durationMs / 1000;
  const lines = [
    `backfill ${summary.checkpointError || summary.listingError ? 'stopped' : summary.interrupted ? 'interrupted' : 'done'}: ${summary.selected} files selected, ${summary.alreadyDone} already done, ${summary.indexed} indexed, ${summary.skipped} skipped, ${summary.failedCount} failed${summary.cutShort > 0 ? `, ${summary.cutShort} cut short (the next run indexes them again)` : ''}`,
    `  events ${summary.events}, repaired ${summary.repaired}, ${seconds.toFixed(1)} s, ${Math.round(summary.events / Math.max(seconds, 0.001))} events/s`,
    `  checkpoint ${checkpointPath}`,
  ];
  if (summary.failedCount > 0) {
    lines.push('  failed files (rerun the same command to retry only these):');
    lines.push(...formatFailures(summary));
  }
  return lines.join('\n');
}
