import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { type Command, Option } from 'commander';
import { Checkpoint } from '../backfill/checkpoint.ts';
import { CheckpointError } from '../backfill/checkpoint-error.ts';
import { countSelection } from '../backfill/count-selection.ts';
import { formatPlan, PlanSummary } from '../backfill/dry-run.ts';
import type { EnqueueSummary } from '../backfill/enqueue-backfill.ts';
import { createProgress } from '../backfill/progress.ts';
import { type BackfillSummary, type ListingCount, runBackfill } from '../backfill/run-backfill.ts';
import {
  localSelectedFiles,
  mapStream,
  nonEmpty,
  type SelectedFile,
  type SelectedFiles,
  s3SelectedFiles,
} from '../backfill/selected-files.ts';
import { parseSelection, type Selection } from '../backfill/selection.ts';
import { formatFailures } from '../backfill/selection-cursor.ts';
import { loadConfig } from '../config.ts';
import { listenForShutdown } from '../control/shutdown-signals.ts';
import { describeError } from '../core/describe-error.ts';
import { ExitCode, OperatorError, UsageError } from '../core/operator-error.ts';
import { createPipeline } from '../pipeline/create-pipeline.ts';
import type { ListingStats } from '../sources/s3/list-log-files.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createS3Client } from './aws-clients.ts';

interface BackfillOptions {
  from?: string;
  to?: string;
  s3?: string;
  local?: string;
  account: string[];
  region: string[];
  concurrency: number;
  listConcurrency: number;
  viaQueue?: boolean;
  maxBacklog: number;
  checkpoint?: string;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('Load the log files already in S3 or on disk, through the same pipeline as the worker.')
    .option('--from <YYYY-MM-DD>', 'first day (inclusive), by the date in the file name')
    .option('--to <YYYY-MM-DD>', 'last day (inclusive), by the date in the file name')
    .addOption(
      new Option(
        '--s3 <s3://BUCKET[/PREFIX]>',
        'a CloudTrail bucket (PREFIX: what comes before AWSLogs/)',
      ).conflicts('local'),
    )
    .option('--local <DIR>', 'a folder of log files (.json, .json.gz), walked recursively')
    .option('--account <ID>', 'only this account (repeatable)', collect, [])
    .option('--region <NAME>', 'only this region (repeatable)', collect, [])
    .option('--concurrency <N>', 'files processed at once', (v) => Number.parseInt(v, 10), 4)
    .option(
      '--list-concurrency <N>',
      'S3 listings under way at once (across accounts, regions and dates)',
      (v) => Number.parseInt(v, 10),
      8,
    )
    .option(
      '--checkpoint <FILE>',
      'where completed files are recorded (default: one per selection in the working directory)',
    )
    .option(
      '--via-queue',
      "send the selection to the worker fleet's queue (QUEUE_URL) as S3 event notifications, instead of indexing here",
    )
    .option(
      '--max-backlog <N>',
      'with --via-queue: enqueue only while the queue holds fewer than N messages',
      (v) => Number.parseInt(v, 10),
      10_000,
    )
    .option('--dry-run', 'print what would be loaded, index nothing')
    .action(async (options: BackfillOptions) => {
      process.exitCode = await backfill(options);
    });
}

function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new UsageError(`--s3 "${url}" is not of the form s3://BUCKET or s3://BUCKET/PREFIX.`);
  return { bucket: match[1] as string, prefix: (match[2] as string).replace(/AWSLogs\/?$/, '') };
}

/** Returns the exit status: 0 all done, 1 some files failed or nothing matched, 2 bad usage, 130 interrupted. */
export async function backfill(
  options: BackfillOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // Thrown to cli.ts, which prints the sentence and ends with the status.
  const fail = (message: string, exitCode: ExitCode = ExitCode.BadConfiguration): never => {
    throw new OperatorError(message, { exitCode });
  };
  if (!options.s3 === !options.local)
    throw new UsageError('give exactly one source: --s3 s3://BUCKET[/PREFIX] or --local DIR.');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64.');
  }
  if (options.viaQueue && !options.s3)
    throw new UsageError('--via-queue needs --s3: the workers read from the bucket, not from this disk.');
  if (!Number.isInteger(options.maxBacklog) || options.maxBacklog < 10) {
    throw new UsageError('--max-backlog must be a whole number of at least 10.');
  }
  const lists = options.listConcurrency;
  if (!Number.isInteger(lists) || lists < 1 || lists > 64) {
    throw new UsageError('--list-concurrency must be a whole number from 1 to 64.');
  }
  const selection: Selection = parseSelection(options);
  let config: ReturnType<typeof loadConfig<'OPENSEARCH_URL'>> | undefined;
  let queueConfig: ReturnType<typeof loadConfig<'QUEUE_URL'>> | undefined;
  // Via the queue, the workers index: this process needs the queue, not OpenSearch.
  if (options.viaQueue && !options.dryRun) queueConfig = loadConfig(env, ['QUEUE_URL']);
  else config = options.dryRun ? undefined : loadConfig(env, ['OPENSEARCH_URL']);
  // Every S3 request honours AWS_REQUEST_TIMEOUT_SECONDS, a dry run's listing too.
  const awsRequestTimeoutSeconds = (config ?? queueConfig ?? loadConfig(env)).AWS_REQUEST_TIMEOUT_SECONDS;
  const logger = createLogger({
    level: (config ?? queueConfig)?.LOG_LEVEL ?? 'info',
    base: { command: 'backfill' },
    destination: process.stderr,
  });

  // The selection is a stream: listed as the work goes (bounded ahead), never held whole.
  let source: string;
  let files: SelectedFiles;
  const s3 = options.s3 ? createS3Client(env, awsRequestTimeoutSeconds) : undefined;
  const maxBytes = config?.MAX_OBJECT_BYTES ?? Number.MAX_SAFE_INTEGER;
  const listing: ListingStats = { requests: 0, leafPrefixes: [] };
  try {
    if (options.s3 && s3) {
      const location = parseS3Url(options.s3);
      source = `s3://${location.bucket}/${location.prefix}`;
      try {
        await s3.send(new HeadBucketCommand({ Bucket: location.bucket }));
      } catch (error) {
        const name = (error as Error).name;
        const why =
          name === 'NotFound' || name === 'NoSuchBucket'
            ? 'it does not exist'
            : name === 'Forbidden' || name === 'AccessDenied'
              ? 'access is denied (s3:ListBucket)'
              : `${name}: ${(error as Error).message}`;
        return fail(`bucket ${location.bucket} is not reachable: ${why}.`);
      }
      files = s3SelectedFiles(s3, location, selection, {
        maxBytes,
        concurrency: options.listConcurrency,
        stats: listing,
        logger,
      });
    } else {
      source = options.local as string;
      files = localSelectedFiles(source, selection);
    }
  } catch (error) {
    s3?.destroy();
    throw error;
  }
  const cannotList = (error: unknown): number => {
    s3?.destroy();
    return fail(`cannot list ${options.s3 ?? options.local} (${describeError(error)}).`, 1);
  };
  const noMatch = (): number => {
    s3?.destroy();
    return fail(`no CloudTrail log files in ${source} match the selection.`, 1);
  };

  const viaQueue = async (
    settings: NonNullable<typeof queueConfig>,
    all: SelectedFiles,
    stream: AsyncIterable<SelectedFile>,
    checkpoint: Checkpoint,
    from: string,
  ): Promise<number> => {
    // Loaded only for --via-queue: its SQS and SSM clients would cost every other backfill ~10 MB of RSS.
    const { backfillViaQueue, formatEnqueueSummary } = await import('./backfill-via-queue.ts');
    const signals = listenForShutdown((_, count) => {
      if (count === 1) process.stderr.write('\nbackfill: stopping after the batches in flight\n');
    });
    let summary: EnqueueSummary;
    let closeError: Error | undefined;
    try {
      summary = await backfillViaQueue({
        files: all,
        work: stream,
        checkpoint,
        s3: s3 as NonNullable<typeof s3>,
        source: from,
        queueUrl: settings.QUEUE_URL,
        pauseParameterName: settings.PAUSE_PARAMETER_NAME,
        awsRequestTimeoutSeconds: settings.AWS_REQUEST_TIMEOUT_SECONDS,
        maxBacklog: options.maxBacklog,
        concurrency: options.concurrency,
        logger,
        stopTaking: signals.stopTaking,
      });
    } finally {
      signals.dispose();
      closeError = await checkpoint.close().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      s3?.destroy();
    }
    process.stdout.write(`${formatEnqueueSummary(summary, checkpoint.path, settings.QUEUE_URL)}\n`);
    if (summary.listingError)
      return fail(
        `cannot list ${from} to its end (${summary.listingError}); rerun the same command to go on.`,
        1,
      );
    if (summary.checkpointError) return fail(summary.checkpointError, 1);
    if (closeError) return fail(`${closeError.message}.`, 1);
    if (summary.interrupted) return 130;
    return summary.failedCount > 0 ? 1 : 0;
  };

  if (options.dryRun) {
    const plan = new PlanSummary();
    try {
      for await (const file of files()) plan.add(file);
    } catch (error) {
      return cannotList(error);
    }
    s3?.destroy();
    if (plan.files === 0) return noMatch();
    process.stdout.write(`${formatPlan(plan.groups())}\n`);
    return 0;
  }
  let work: AsyncIterable<SelectedFile> | undefined;
  try {
    work = await nonEmpty(files());
  } catch (error) {
    return cannotList(error);
  }
  if (!work) return noMatch();

  // A via-queue backfill records what it enqueued, not what was indexed: a checkpoint of its own.
  const selectionKey =
    JSON.stringify(selection) + (queueConfig ? `\nvia-queue ${queueConfig.QUEUE_URL}` : '');
  let checkpoint: Checkpoint;
  try {
    checkpoint = await Checkpoint.open(options.checkpoint ?? Checkpoint.defaultPath(source, selectionKey));
  } catch (error) {
    s3?.destroy();
    if (error instanceof CheckpointError) return fail(`${error.message}.`);
    throw error;
  }
  if (queueConfig) return viaQueue(queueConfig, files, work, checkpoint, source);
  const pipeline = createPipeline(config as NonNullable<typeof config>, logger);
  try {
    await pipeline.sink.prepare();
  } catch (error) {
    await pipeline.close();
    return fail((error as Error).message);
  }

  const signals = listenForShutdown((_, count) => {
    if (count === 1)
      process.stderr.write('\nbackfill: stopping after the files in flight (Ctrl-C again to stop at once)\n');
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
        concurrency: options.concurrency,
        progress: createProgress({ tty: Boolean(process.stderr.isTTY), logger }),
        stopTaking: signals.stopTaking,
        abortInFlight: signals.stopNow,
      },
    );
  } finally {
    stopCounting.abort();
    signals.dispose();
    closeError = await checkpoint.close().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    await pipeline.close();
    s3?.destroy();
  }
  logger.debug({ requests: listing.requests, prefixes: listing.leafPrefixes.length }, 'bucket listed');
  process.stdout.write(`${formatSummary(summary, checkpoint.path)}\n`);
  if (summary.listingError)
    return fail(
      `cannot list ${source} to its end (${summary.listingError}); rerun the same command to go on.`,
      1,
    );
  if (summary.checkpointError) return fail(summary.checkpointError, 1);
  if (closeError) return fail(`${closeError.message}.`, 1);
  if (summary.interrupted) return 130;
  return summary.failedCount > 0 ? 1 : 0;
}

function formatSummary(summary: BackfillSummary, checkpointPath: string): string {
  const seconds = summary.durationMs / 1000;
  const lines = [
    `backfill ${summary.checkpointError || summary.listingError ? 'stopped' : summary.interrupted ? 'interrupted' : 'done'}: ${summary.selected} files selected, ${summary.alreadyDone} already done, ${summary.indexed} indexed, ${summary.skipped} skipped, ${summary.failedCount} failed`,
    `  events ${summary.events}, repaired ${summary.repaired}, ${seconds.toFixed(1)} s, ${Math.round(summary.events / Math.max(seconds, 0.001))} events/s`,
    `  checkpoint ${checkpointPath}`,
  ];
  if (summary.failedCount > 0) {
    lines.push('  failed files (rerun the same command to retry only these):');
    lines.push(...formatFailures(summary));
  }
  return lines.join('\n');
}
