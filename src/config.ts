import { z } from 'zod';
import { REGION_NAME } from './core/classify-object-key.ts';
import { DEFAULT_MAX_FIELD_NAME_CHARS } from './core/indexable-document.ts';
import { ExitCode, OperatorError } from './core/operator-error.ts';
import { MAPPING_SETTINGS } from './sinks/opensearch/mapping-mode.ts';
import { OPENSEARCH_AUTH_MODES, SIGV4_SERVICES } from './sinks/opensearch/opensearch-auth.ts';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_READ_SECONDS } from './sources/read-log-records.ts';
import { scrubText } from './telemetry/redact-secrets.ts';
import { DEFAULT_FLATTEN_KEYS } from './transforms/flatten-fields.ts';
import { DEFAULT_MAX_EXTRA_TOP_LEVEL_KEYS } from './transforms/fold-hostile-keys.ts';
import {
  DEFAULT_EVENT_TIME_WINDOW_DAYS,
  DEFAULT_INDEX_PREFIX,
  INDEX_ROUTINGS,
  IndexRouting,
} from './transforms/route-event.ts';

/**
 * The service's whole configuration: one schema over environment variables, parsed once at
 * start-up and frozen. A bad value stops start-up with one sentence per variable naming it and
 * what was expected. AWS settings follow the SDK's own conventions (AWS_REGION, AWS_ENDPOINT_URL,
 * the default credential chain), so no parallel variables exist for them.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables whose values must never be echoed back in an error message. */
const SECRET_VARIABLES = new Set(['OPENSEARCH_PASSWORD']);

function wholeNumber(min: number, max: number, unit: string) {
  const expected = `a whole number of ${unit} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\s*\d+\s*$/, { error: `expected ${expected}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `expected ${expected}` })
        .max(max, { error: `expected ${expected}` }),
    );
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}

function httpUrl(what: string) {
  return z.url({ protocol: /^https?$/, error: `expected an http(s) URL of ${what}` });
}

/** S3, SQS and SSM requests; longer than the worker's 20 s long poll, which is silent until it answers. */
const DEFAULT_AWS_REQUEST_TIMEOUT_SECONDS = 60;

const schema = z.object({
  OPENSEARCH_URL: httpUrl(
    'the OpenSearch endpoint, e.g. https://search-x.us-east-1.es.amazonaws.com',
  ).optional(),
  OPENSEARCH_AUTH: oneOf(OPENSEARCH_AUTH_MODES).default('none'),
  OPENSEARCH_USERNAME: z.string().optional(),
  OPENSEARCH_PASSWORD: z.string().optional(),
  OPENSEARCH_SIGV4_SERVICE: oneOf(SIGV4_SERVICES).default('es'),
  OPENSEARCH_TLS_VERIFY: z.stringbool({ error: 'expected true or false' }).default(true),
  OPENSEARCH_REQUEST_TIMEOUT_SECONDS: wholeNumber(1, 3600, 'seconds').default(60),
  INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, {
      error: 'expected a lowercase index name prefix (a-z, 0-9, "-", "_", "."; up to 100 characters)',
    })
    .default(DEFAULT_INDEX_PREFIX),
  INDEX_ROUTING: oneOf(INDEX_ROUTINGS).default(IndexRouting.EventTime),
  FLATTEN_KEYS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== ''),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^.]+$/, { error: 'expected top-level key names without dots' }))
        .min(1, { error: 'expected a comma-separated list of top-level event keys' }),
    )
    .default([...DEFAULT_FLATTEN_KEYS]),
  /** Longer top-level key names are folded into `indexerFolded`; the index template refuses longer field names. */
  MAX_FIELD_NAME_CHARS: wholeNumber(64, 32_768, 'characters').default(DEFAULT_MAX_FIELD_NAME_CHARS),
  /** Distinct top-level keys CloudTrail does not define kept as fields per file; later new ones are folded. */
  MAX_EXTRA_TOP_LEVEL_KEYS: wholeNumber(0, 1000, 'keys').default(DEFAULT_MAX_EXTRA_TOP_LEVEL_KEYS),
  /** Event-time routing believes an eventTime at most this many days before its file's delivery. */
  EVENT_TIME_WINDOW_DAYS: wholeNumber(1, 3660, 'days').default(DEFAULT_EVENT_TIME_WINDOW_DAYS),
  MAPPING_MODE: oneOf(MAPPING_SETTINGS).default('auto'),
  INDEX_SHARDS: wholeNumber(1, 1024, 'shards').default(1),
  INDEX_REPLICAS: wholeNumber(0, 15, 'replicas').default(0),
  INDEX_TOTAL_FIELDS_LIMIT: wholeNumber(100, 100_000, 'fields').default(8192),
  /** Index settings and mapping choices priced by bench/mapping-cost.ts (see README's configuration table). */
  INDEX_CODEC: oneOf(['best_compression', 'default']).default('best_compression'),
  INDEX_REFRESH_SECONDS: wholeNumber(1, 3600, 'seconds').optional(),
  RAW_TEXT_INDEX: oneOf(['positions', 'terms', 'none']).default('positions'),
  KEYWORD_DOC_VALUES: oneOf(['all', 'dashboard']).default('all'),
  /** `setup` installs an ISM policy deleting `<prefix>-*` indexes this many days after their creation; unset: none. */
  RETENTION_DAYS: wholeNumber(1, 36_500, 'days').optional(),
  BULK_MAX_BYTES: wholeNumber(1024, 100 * 1024 * 1024, 'bytes').default(5 * 1024 * 1024),
  BULK_MAX_DOCUMENTS: wholeNumber(1, 100_000, 'documents').default(5000),
  BULK_CONCURRENCY: wholeNumber(1, 64, 'requests').default(2),
  AWS_REGION: z
    .string()
    .regex(REGION_NAME, { error: 'expected an AWS region name such as us-east-1' })
    .optional(),
  AWS_ENDPOINT_URL: httpUrl('an AWS endpoint override, e.g. http://127.0.0.1:4566').optional(),
  QUEUE_URL: httpUrl('the SQS notification queue').optional(),
  DLQ_URL: httpUrl('the SQS dead-letter queue').optional(),
  HEALTH_PORT: wholeNumber(0, 65_535, 'a TCP port').default(8080),
  PAUSE_PARAMETER_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.\-/]{1,1011}$/, {
      error: 'expected an SSM parameter name such as /cloudtrail-indexer/paused',
    })
    .default('/cloudtrail-indexer/paused'),
  OPENSEARCH_DOMAIN_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9-]{2,27}$/, {
      error: 'expected an Amazon OpenSearch Service domain name (3-28 characters: a-z, 0-9, "-")',
    })
    .optional(),
  /** How often the worker asks DescribeDomain whether OPENSEARCH_DOMAIN_NAME is changing. */
  DOMAIN_CHECK_SECONDS: wholeNumber(1, 3600, 'seconds').default(60),
  SHUTDOWN_GRACE_SECONDS: wholeNumber(0, 3600, 'seconds').default(90),
  /** Only objects whose key starts with this are indexed; others are acknowledged and skipped. */
  KEY_PREFIX: z.string().default(''),
  FILES_IN_FLIGHT: wholeNumber(1, 64, 'files').default(4),
  VISIBILITY_TIMEOUT_SECONDS: wholeNumber(30, 43_200, 'seconds').default(300),
  HEARTBEAT_SECONDS: wholeNumber(5, 3600, 'seconds').default(60),
  RETRY_DELAY_SECONDS: wholeNumber(0, 43_200, 'seconds').default(30),
  MAX_OBJECT_BYTES: wholeNumber(1, 64 * 1024 * 1024 * 1024, 'bytes').default(1024 * 1024 * 1024),
  /** A file with more events is rejected (dead-letter queue) when the reader gets past this many. */
  MAX_EVENTS_PER_FILE: wholeNumber(1, 100_000_000, 'events').default(1_000_000),
  /** A file inflating to more bytes is rejected: MAX_OBJECT_BYTES bounds only the compressed size. */
  MAX_DECOMPRESSED_BYTES: wholeNumber(1024 * 1024, 1024 * 1024 * 1024 * 1024, 'bytes').default(
    DEFAULT_MAX_DECOMPRESSED_BYTES,
  ),
  /** Reading a file (fetch, gunzip, split; waits for OpenSearch not counted) may take this long. */
  MAX_FILE_READ_SECONDS: wholeNumber(1, 86_400, 'seconds').default(DEFAULT_MAX_READ_SECONDS),
  /** Notifications are a few KiB; a larger body is not one, and is dead-lettered unparsed. SQS allows 1 MiB. */
  MAX_MESSAGE_BYTES: wholeNumber(1024, 1024 * 1024, 'bytes').default(256 * 1024),
  /** A message announcing more distinct objects is dead-lettered unread; S3 and CloudTrail announce one or a few. */
  MAX_OBJECTS_PER_MESSAGE: wholeNumber(1, 100_000, 'objects').default(100),
  /**
   * An S3, SQS or SSM request (an S3 object body included) that receives nothing for this long is
   * abandoned as failed. Longer than the worker's 20 s long poll, which is silent until it answers.
   */
  AWS_REQUEST_TIMEOUT_SECONDS: wholeNumber(25, 900, 'seconds').default(DEFAULT_AWS_REQUEST_TIMEOUT_SECONDS),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
});

export type Config = Readonly<z.output<typeof schema>>;

/** Variables that have no default because only some commands need them. */
export type OptionalSetting = {
  [K in keyof Config]-?: undefined extends Config[K] ? K : never;
}[keyof Config];

/** A configuration in which the settings a command needs are known to be present. */
export type ConfigWith<K extends OptionalSetting> = Config & { readonly [P in K]-?: NonNullable<Config[P]> };

const REQUIRED_BY_HINT: Readonly<Partial<Record<OptionalSetting, string>>> = {
  OPENSEARCH_URL: 'the OpenSearch endpoint',
  QUEUE_URL: 'the SQS queue that receives the S3 notifications',
  DLQ_URL: 'the dead-letter queue of QUEUE_URL',
  AWS_REGION: 'the AWS region',
  OPENSEARCH_DOMAIN_NAME: 'the Amazon OpenSearch Service domain name',
};

/** A configuration problem; `message` lists one sentence per variable. */
export class ConfigError extends OperatorError {
  override readonly name: string = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `- ${problem}`).join('\n')}`, {
      exitCode: ExitCode.BadConfiguration,
    });
    this.problems = problems;
  }
}

/** Settings that another setting makes necessary; checked on the raw values so they show up with any other error. */
function dependentProblems(present: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  if (present.OPENSEARCH_AUTH === 'basic') {
    for (const name of ['OPENSEARCH_USERNAME', 'OPENSEARCH_PASSWORD']) {
      if (present[name] === undefined) problems.push(`${name}: required when OPENSEARCH_AUTH=basic.`);
    }
  }
  if (present.OPENSEARCH_AUTH === 'sigv4' && present.AWS_REGION === undefined) {
    problems.push(
      'AWS_REGION: required when OPENSEARCH_AUTH=sigv4 (the region of the OpenSearch domain or collection).',
    );
  }
  return problems;
}

/**
 * Parses the configuration from an environment (pure: pass `process.env` at start-up, a plain
 * object in tests). `require` names the optional settings the calling command cannot run without.
 * Empty values count as unset, as docker-compose and ECS often pass `NAME=`.
 */
export function loadConfig<K extends OptionalSetting = never>(
  env: Readonly<Record<string, string | undefined>>,
  require: readonly K[] = [],
): ConfigWith<K> {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = schema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'configuration');
      const received = present[name];
      // A URL may carry a password (https://user:password@host): echoed values are scrubbed as logs are.
      const echo =
        received === undefined || SECRET_VARIABLES.has(name)
          ? ''
          : ` (got ${scrubText(JSON.stringify(received))})`;
      problems.push(`${name}: ${issue.message}${echo}.`);
    }
  }
  problems.push(...dependentProblems(present));
  for (const name of require) {
    if (present[name] === undefined) {
      const hint = REQUIRED_BY_HINT[name];
      problems.push(`${name}: required${hint ? `: set it to ${hint}` : ''}.`);
    }
  }
  if (parsed.success && parsed.data.HEARTBEAT_SECONDS >= parsed.data.VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `HEARTBEAT_SECONDS: must be shorter than VISIBILITY_TIMEOUT_SECONDS (${parsed.data.VISIBILITY_TIMEOUT_SECONDS}), or a message would become visible between two heartbeats (got ${parsed.data.HEARTBEAT_SECONDS}).`,
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data;
  Object.freeze(config.FLATTEN_KEYS);
  return Object.freeze(config) as ConfigWith<K>;
}
