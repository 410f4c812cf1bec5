import type { Command } from 'commander';
import { Option } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { UsageError } from '../core/operator-error.ts';
import { runTransform, type TransformRunOptions } from '../operations/run-transform.ts';
import { transformOptionsFrom } from '../pipeline/transform-options.ts';
import { DEFAULT_FLATTEN_KEYS } from '../transforms/flatten-fields.ts';
import { IndexRouting } from '../transforms/route-event.ts';

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
