import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problemsOf(
  env: Record<string, string>,
  require: Parameters<typeof loadConfig>[1] = [],
): readonly string[] {
  try {
    loadConfig(env, require);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives every setting its documented default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      OPENSEARCH_AUTH: 'none',
      OPENSEARCH_SIGV4_SERVICE: 'es',
      OPENSEARCH_TLS_VERIFY: true,
      INDEX_PREFIX: 'cloudtrail',
      INDEX_ROUTING: 'event-time',
      MAPPING_MODE: 'auto',
      INDEX_SHARDS: 1,
      INDEX_REPLICAS: 0,
      INDEX_TOTAL_FIELDS_LIMIT: 8192,
      BULK_MAX_BYTES: 5_242_880,
      HEALTH_PORT: 8080,
      PAUSE_PARAMETER_NAME: '/cloudtrail-indexer/paused',
      SHUTDOWN_GRACE_SECONDS: 90,
      LOG_LEVEL: 'info',
    });
    expect(config.FLATTEN_KEYS).toContain('responseElements');
    expect(config.FLATTEN_KEYS).toHaveLength(9);
    expect(config.OPENSEARCH_URL).toBeUndefined();
  });

  it('parses the variables of .stack/env', () => {
    const config = loadConfig(
      {
        OPENSEARCH_URL: 'http://127.0.0.1:19200',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:14566',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        QUEUE_URL: 'http://127.0.0.1:14566/queue/us-east-1/000000000000/q',
        DLQ_URL: 'http://127.0.0.1:14566/queue/us-east-1/000000000000/dlq',
        BUCKET: 'demo',
      },
      ['OPENSEARCH_URL', 'QUEUE_URL'],
    );
    expect(config.OPENSEARCH_URL).toBe('http://127.0.0.1:19200');
    expect(config.QUEUE_URL).toContain('/queue/');
  });

  it('is frozen, lists included', () => {
    const config = loadConfig({ FLATTEN_KEYS: 'a,b' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.FLATTEN_KEYS)).toBe(true);
  });

  it.each([
    ['OPENSEARCH_TLS_VERIFY', 'false', false],
    ['OPENSEARCH_TLS_VERIFY', '0', false],
    ['OPENSEARCH_TLS_VERIFY', 'TRUE', true],
    ['FLATTEN_KEYS', ' requestParameters , responseElements ,', ['requestParameters', 'responseElements']],
    ['INDEX_SHARDS', ' 3 ', 3],
    ['BULK_MAX_BYTES', '1048576', 1_048_576],
    ['MAPPING_MODE', 'flat-object', 'flat-object'],
    ['OPENSEARCH_SIGV4_SERVICE', 'aoss', 'aoss'],
  ] as const)('reads %s=%j as %j', (name, value, expected) => {
    expect(loadConfig({ [name]: value })[name]).toEqual(expected);
  });

  it('treats empty values as unset, as docker-compose passes them', () => {
    expect(loadConfig({ INDEX_PREFIX: '', OPENSEARCH_URL: '' }).INDEX_PREFIX).toBe('cloudtrail');
  });

  describe.each([
    ['OPENSEARCH_URL', 'ftp://example.com', /http\(s\) URL/],
    ['OPENSEARCH_URL', 'not a url', /http\(s\) URL/],
    ['OPENSEARCH_AUTH', 'token', /one of none, basic, sigv4/],
    ['OPENSEARCH_TLS_VERIFY', 'maybe', /true or false/],
    ['INDEX_PREFIX', 'CloudTrail', /lowercase index name prefix/],
    ['INDEX_PREFIX', '-x', /lowercase index name prefix/],
    ['INDEX_ROUTING', 'random', /one of event-time, file-date/],
    ['FLATTEN_KEYS', ' , ', /comma-separated list/],
    ['FLATTEN_KEYS', 'a.b', /without dots/],
    ['MAPPING_MODE', 'flat', /one of auto, flat-object, dynamic/],
    ['INDEX_SHARDS', '0', /whole number of shards from 1/],
    ['INDEX_REPLICAS', '-1', /whole number of replicas/],
    ['BULK_MAX_BYTES', '5MB', /whole number of bytes/],
    ['BULK_MAX_BYTES', '1.5', /whole number of bytes/],
    ['BULK_CONCURRENCY', '1000', /whole number of requests from 1 to 64/],
    ['AWS_REGION', 'US_EAST', /AWS region name/],
    ['HEALTH_PORT', '70000', /TCP port/],
    ['OPENSEARCH_DOMAIN_NAME', 'My_Domain', /domain name/],
    ['SHUTDOWN_GRACE_SECONDS', 'soon', /whole number of seconds/],
    ['LOG_LEVEL', 'verbose', /one of fatal, error/],
  ])('%s=%j', (name, value, expected) => {
    it('stops with a sentence naming the variable, what was expected and the value', () => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}: `));
      expect(problems[0]).toMatch(expected);
      expect(problems[0]).toContain(JSON.stringify(value));
    });
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ BULK_MAX_BYTES: 'x', MAPPING_MODE: 'y', OPENSEARCH_AUTH: 'basic' }, [
      'QUEUE_URL',
    ]);
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'BULK_MAX_BYTES',
      'MAPPING_MODE',
      'OPENSEARCH_PASSWORD',
      'OPENSEARCH_USERNAME',
      'QUEUE_URL',
    ]);
  });

  it('names settings a command requires but nobody set', () => {
    expect(problemsOf({}, ['OPENSEARCH_URL'])).toEqual([
      'OPENSEARCH_URL: required: set it to the OpenSearch endpoint.',
    ]);
  });

  it('requires a region for SigV4 and credentials for basic auth', () => {
    expect(problemsOf({ OPENSEARCH_AUTH: 'sigv4' })).toEqual([
      expect.stringMatching(/^AWS_REGION: required when/),
    ]);
    expect(
      problemsOf({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD: 'p' }),
    ).toEqual([]);
  });

  it('never echoes a password back', () => {
    const message = (() => {
      try {
        loadConfig(
          { OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 's3cret' },
          ['OPENSEARCH_URL'],
        );
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('OPENSEARCH_URL');
    expect(message).not.toContain('s3cret');
  });

  it('never echoes the password of a URL it refuses', () => {
    const problems = problemsOf({ OPENSEARCH_URL: 'htps://admin:s3cret@search.example.com' });
    expect(problems).toEqual([expect.stringMatching(/^OPENSEARCH_URL: expected an http\(s\) URL/)]);
    expect(problems[0]).toContain('htps://[REDACTED]@search.example.com');
    expect(problems[0]).not.toContain('s3cret');
  });

  it('has limits and AWS request timeouts with defaults', () => {
    expect(loadConfig({})).toMatchObject({
      MAX_OBJECT_BYTES: 1024 ** 3,
      MAX_EVENTS_PER_FILE: 1_000_000,
      MAX_MESSAGE_BYTES: 262_144,
      AWS_REQUEST_TIMEOUT_SECONDS: 60,
    });
  });

  it.each([
    [
      'MAX_EVENTS_PER_FILE',
      '0',
      'MAX_EVENTS_PER_FILE: expected a whole number of events from 1 to 100000000 (got "0").',
    ],
    [
      'MAX_MESSAGE_BYTES',
      '2097152',
      'MAX_MESSAGE_BYTES: expected a whole number of bytes from 1024 to 1048576 (got "2097152").',
    ],
    // Shorter than the 20 s long poll, every quiet receive would time out.
    [
      'AWS_REQUEST_TIMEOUT_SECONDS',
      '10',
      'AWS_REQUEST_TIMEOUT_SECONDS: expected a whole number of seconds from 25 to 900 (got "10").',
    ],
  ])('refuses %s=%s with a sentence naming it', (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });
});
