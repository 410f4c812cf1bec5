import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/telemetry/logger.ts';

function memoryLogger(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, text: () => lines.join('') };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the level as a word and the message last', () => {
    const { logger, lines } = memoryLogger();
    logger.info({ bucket: 'b', key: 'k' }, 'file indexed');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', bucket: 'b', key: 'k', msg: 'file indexed' });
    expect(typeof record.time).toBe('string');
    expect(Object.keys(record).at(-1)).toBe('msg');
  });

  it('logs nothing below its level', () => {
    const { logger, lines } = memoryLogger('info');
    logger.debug('per-event noise');
    expect(lines).toHaveLength(0);
  });

  describe.each([
    {
      name: 'SDK credentials',
      context: {
        credentials: {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI-secret',
          sessionToken: 'FwoGZXIvYXdzEXAMPLE-session',
        },
      },
      secrets: ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI-secret', 'FwoGZXIvYXdzEXAMPLE-session'],
      kept: [],
    },
    {
      name: 'STS-style credentials, PascalCase, nested',
      context: {
        assumed: {
          role: {
            Credentials: {
              AccessKeyId: 'ASIAEXAMPLEPASCAL',
              SecretAccessKey: 'pascal-secret',
              SessionToken: 'pascal-token',
            },
          },
        },
      },
      secrets: ['ASIAEXAMPLEPASCAL', 'pascal-secret', 'pascal-token'],
      kept: [],
    },
    {
      name: 'environment variables',
      context: {
        env: {
          AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'env-secret-key',
          AWS_SESSION_TOKEN: 'env-session-token',
          OPENSEARCH_PASSWORD: 'env-opensearch-pw',
          OPENSEARCH_USERNAME: 'indexer',
        },
      },
      secrets: ['AKIAENVEXAMPLE', 'env-secret-key', 'env-session-token', 'env-opensearch-pw'],
      kept: ['indexer'],
    },
    {
      name: 'request headers in any casing',
      context: {
        request: {
          headers: {
            authorization:
              'AWS4-HMAC-SHA256 Credential=AKIAHDR/20240531/us-east-1/es/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
            'x-amz-security-token': 'header-security-token',
            'X-Amz-Date': '20240531T000000Z',
          },
        },
        response: { headers: { Authorization: 'Basic YWRtaW46aHVudGVyMg==' } },
      },
      secrets: ['AKIAHDR', '0123456789abcdef0123', 'header-security-token', 'YWRtaW46aHVudGVyMg=='],
      kept: ['20240531T000000Z'],
    },
    {
      name: 'basic-auth settings',
      context: { auth: { username: 'admin', password: 'basic-auth-pw' } },
      secrets: ['basic-auth-pw'],
      kept: ['admin'],
    },
    {
      name: 'a password deeper than the redact paths reach',
      context: { a: { b: { c: { d: { e: { f: { password: 'very-deep-pw', note: 'visible' } } } } } } },
      secrets: ['very-deep-pw'],
      kept: ['visible'],
    },
    {
      name: 'a non-string secret',
      context: { password: 12345678901, credentials: { nested: { value: 42424242 } } },
      secrets: ['12345678901', '42424242'],
      kept: [],
    },
    {
      name: 'a URL with user:password',
      context: { url: 'https://admin:url-pw@search.example.com:9200/_bulk' },
      secrets: ['url-pw'],
      kept: ['search.example.com:9200/_bulk'],
    },
    {
      name: 'a URL object with user:password',
      context: { endpoint: new URL('https://admin:url-object-pw@search.example.com/') },
      secrets: ['url-object-pw'],
      kept: ['search.example.com'],
    },
    {
      name: 'a URL with user:password under an unexpected key',
      context: { settings: { target: 'http://u:odd-key-pw@127.0.0.1:19200' } },
      secrets: ['odd-key-pw'],
      kept: ['127.0.0.1:19200'],
    },
    {
      name: 'a presigned S3 URL',
      context: {
        location:
          'https://bucket.s3.amazonaws.com/AWSLogs/x.json.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAPRESIGN%2F20240531&X-Amz-Security-Token=presign-token&X-Amz-Signature=presign-signature',
      },
      secrets: ['AKIAPRESIGN', 'presign-token', 'presign-signature'],
      kept: ['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'AWSLogs/x.json.gz'],
    },
  ])('censors $name', ({ context, secrets, kept }) => {
    it('leaves no secret in the line and keeps the rest', () => {
      const { logger, lines, text } = memoryLogger();
      logger.info(context, 'something happened');
      expect(() => JSON.parse(lines[0] as string)).not.toThrow();
      for (const secret of secrets) expect(text()).not.toContain(secret);
      for (const value of kept) expect(text()).toContain(value);
      expect(text()).toContain('[REDACTED]');
    });
  });

  it('censors a URL password quoted in an error message and its stack', () => {
    const { logger, text } = memoryLogger();
    logger.error(
      { err: new Error('connect ECONNREFUSED https://admin:err-pw@search.example.com/') },
      'failed',
    );
    expect(text()).not.toContain('err-pw');
    expect(text()).toContain('ECONNREFUSED');
  });

  it('censors a URL password in the message itself', () => {
    const { logger, text } = memoryLogger();
    logger.info('connecting to http://admin:msg-pw@127.0.0.1:19200');
    expect(text()).not.toContain('msg-pw');
    expect(text()).toContain('127.0.0.1:19200');
  });

  it('censors secrets bound into a child logger', () => {
    const { logger, text } = memoryLogger();
    logger.child({ opensearch: { password: 'child-pw' } }).info('ready');
    expect(text()).not.toContain('child-pw');
  });

  it('leaves the logged object untouched', () => {
    const { logger } = memoryLogger();
    const context = { credentials: { secretAccessKey: 'still-here' } };
    logger.info(context, 'x');
    expect(context.credentials.secretAccessKey).toBe('still-here');
  });
});
