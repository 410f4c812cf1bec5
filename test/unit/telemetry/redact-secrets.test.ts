import { describe, expect, it } from 'vitest';
import { isSecretKey, redactUrl, scrubSecrets } from '../../../src/telemetry/redact-secrets.ts';

describe('isSecretKey', () => {
  it.each([
    'password',
    'OPENSEARCH_PASSWORD',
    'secretAccessKey',
    'AWS_SECRET_ACCESS_KEY',
    'accessKeyId',
    'AccessKeyId',
    'sessionToken',
    'x-amz-security-token',
    'X-Amz-Signature',
    'Authorization',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['username', 'bucket', 'key', 'eventName', 'nextToken', 'x-amz-date'])('lets %s through', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('scrubSecrets', () => {
  it('censors string values with escaped quotes and keeps the line valid JSON', () => {
    const line = JSON.stringify({ password: 'a"b\\"c', after: 'kept' });
    const scrubbed = scrubSecrets(line);
    expect(JSON.parse(scrubbed)).toEqual({ password: '[REDACTED]', after: 'kept' });
  });

  it('does not mistake quoted text inside a value for a member', () => {
    const line = JSON.stringify({ msg: 'the "password":"not-a-member" text' });
    expect(JSON.parse(scrubSecrets(line))).toEqual({ msg: 'the "password":"not-a-member" text' });
  });

  it('censors every string of an array or object held by a secret key, and nothing after it', () => {
    const line = JSON.stringify({ password: ['one', 'two'], secret: { nested: ['three'] }, after: ['kept'] });
    expect(JSON.parse(scrubSecrets(line))).toEqual({
      password: ['[REDACTED]', '[REDACTED]'],
      secret: { nested: ['[REDACTED]'] },
      after: ['kept'],
    });
  });

  it.each([
    [
      'an x-amz-security-token header',
      'sent x-amz-security-token: FwoGZXIvYXdzEXAMPLE',
      'FwoGZXIvYXdzEXAMPLE',
    ],
    ['Basic credentials', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['a Bearer token', 'with Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', 'eyJhbGciOiJIUzI1NiJ9'],
    [
      'an AWS config line',
      'aws_secret_access_key=wJalrXUtnFEMIEXAMPLEKEY in ~/.aws',
      'wJalrXUtnFEMIEXAMPLEKEY',
    ],
  ])('censors %s in free text', (_, text, secret) => {
    const scrubbed = scrubSecrets(JSON.stringify({ msg: text }));
    expect(scrubbed).not.toContain(secret);
    expect(JSON.parse(scrubbed).msg).toContain('[REDACTED]');
  });

  it('scrubs an 8-million-character line full of escapes without throwing', () => {
    const line = JSON.stringify({ msg: 'a\\"'.repeat(3_000_000), password: 'p' });
    expect(line.length).toBeGreaterThan(8_000_000);
    expect(JSON.parse(scrubSecrets(line)).password).toBe('[REDACTED]');
  });

  it('leaves a line without secrets unchanged', () => {
    const line = JSON.stringify({ a: 1, b: [{ c: 'd' }], url: 'https://host/path?x=1' });
    expect(scrubSecrets(line)).toBe(line);
  });
});

describe('redactUrl', () => {
  it('strips user:password and keeps the rest', () => {
    expect(redactUrl('https://user:pw@host:9200/x?y=1')).toBe('https://[REDACTED]@host:9200/x?y=1');
  });

  it('passes through values that are not URLs', () => {
    expect(redactUrl(42)).toBe(42);
    expect(redactUrl(undefined)).toBe(undefined);
  });
});
