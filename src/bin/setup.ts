import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { loadConfig } from '../config.ts';
import { UsageError } from '../core/operator-error.ts';
import { runSetup, type SetupTargets } from '../setup/run-setup.ts';
import { readSavedObjects } from '../setup/saved-objects.ts';
import { DEFAULT_BACKOFF, type RetryOptions, sleep } from '../sinks/opensearch/backoff.ts';
import { createOpenSearchClient, describeEndpoint } from '../sinks/opensearch/create-opensearch-client.ts';
import { createOpenSearchSink } from '../sinks/opensearch/opensearch-sink.ts';
import { createLogger } from '../telemetry/logger.ts';
import { type CommandIo, processIo } from './command-errors.ts';

export interface SetupFlags {
  readonly dashboards?: string;
  readonly savedObjects?: string;
}

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'Install what OpenSearch needs, idempotently: the index templates, the retention policy (ISM, when ' +
        'RETENTION_DAYS is set) and, with --dashboards, the index pattern <INDEX_PREFIX>-* and the ' +
        '"CloudTrail overview" dashboard. Says what it changed and what was already in place.',
    )
    .option(
      '--dashboards <URL>',
      'OpenSearch Dashboards to import the saved objects into, e.g. http://localhost:5601 or https://domain/_dashboards (same credentials as OpenSearch)',
    )
    .option(
      '--saved-objects <FILE>',
      'an .ndjson export to import instead of the shipped dashboards/cloudtrail-overview.ndjson',
    )
    .action(async (flags: SetupFlags) => {
      process.exitCode = await setup(flags, process.env, processIo);
    });
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The composition root of `setup`: clients from the configuration, then the steps of runSetup. */
export async function setup(
  flags: SetupFlags,
  env: Readonly<Record<string, string | undefined>>,
  io: CommandIo,
): Promise<number> {
  const config = loadConfig(env, ['OPENSEARCH_URL']);
  const dashboardsUrl = flags.dashboards === undefined ? undefined : httpUrl(flags.dashboards);
  if (flags.dashboards !== undefined && !dashboardsUrl) {
    throw new UsageError(`--dashboards ${JSON.stringify(flags.dashboards)} is not an http(s) URL.`);
  }
  // The report goes to stdout; log lines only for trouble (retries), unless asked for more.
  const level: LevelWithSilent = ['debug', 'trace'].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn';
  const logger = createLogger({ level, base: { command: 'setup' }, destination: process.stderr });
  const sink = createOpenSearchSink(config, { logger });
  const retry: RetryOptions = {
    policies: DEFAULT_BACKOFF,
    sleep,
    random: Math.random,
    onRetry: (failure, attempt, delayMs) =>
      logger.warn({ reason: failure.reason, retry: attempt + 1, delayMs }, 'request will be retried'),
  };
  let dashboards: SetupTargets['dashboards'];
  if (dashboardsUrl) {
    const dashboardsConfig = { ...config, OPENSEARCH_URL: dashboardsUrl.href.replace(/\/$/, '') };
    dashboards = {
      client: createOpenSearchClient(dashboardsConfig),
      endpoint: describeEndpoint(dashboardsConfig),
      objects: () => readSavedObjects(flags.savedObjects),
    };
  }
  try {
    return await runSetup(
      { prefix: config.INDEX_PREFIX, retentionDays: config.RETENTION_DAYS },
      { prepare: sink.prepare, client: sink.client, endpoint: describeEndpoint(config), dashboards, retry },
      io,
    );
  } finally {
    await sink.close();
    await dashboards?.client.close();
  }
}
