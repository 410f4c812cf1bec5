import type { Command } from 'commander';
import { Option } from 'commander';
import { runBackfillCommand } from '../backfill/backfill-command.ts';
import { parseSelection, type Selection } from '../backfill/selection.ts';
import { loadConfig } from '../config.ts';
import { UsageError } from '../core/operator-error.ts';
import { createLogger } from '../telemetry/logger.ts';
import { processIo } from './command-errors.ts';

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

/**
 * Checks the flags, loads the configuration the mode needs and builds the clients; the run itself is
 * src/backfill/backfill-command.ts. Returns the exit status: 0 all done, 1 some files failed or
 * nothing matched, 2 bad usage, 130 interrupted.
 */
export async function backfill(
  options: BackfillOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
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
  const location = options.s3 ? parseS3Url(options.s3) : undefined;
  return runBackfillCommand(
    {
      source: location ? { kind: 's3', ...location } : { kind: 'local', folder: options.local as string },
      given: (options.s3 ?? options.local) as string,
      selection,
      concurrency: options.concurrency,
      listConcurrency: options.listConcurrency,
      maxBacklog: options.maxBacklog,
      checkpointPath: options.checkpoint,
      mode: queueConfig
        ? { kind: 'via-queue', config: queueConfig }
        : config
          ? { kind: 'index-here', config }
          : { kind: 'dry-run' },
    },
    {
      // Each SDK is loaded only by the modes that call it: a local backfill loads none (~8 MB of RSS).
      s3: location
        ? (await import('./s3-client.ts')).createS3Client(env, awsRequestTimeoutSeconds)
        : undefined,
      logger,
      io: processIo,
      tty: Boolean(process.stderr.isTTY),
      queueClients: async () => {
        const { createSsmClient } = await import('./control-clients.ts');
        const { createSqsClient } = await import('./sqs-client.ts');
        return {
          sqs: createSqsClient(env, awsRequestTimeoutSeconds),
          ssm: createSsmClient(awsRequestTimeoutSeconds),
        };
      },
    },
  );
}
