import { describe, expect, it } from 'vitest';
import {
  type BackoffPolicies,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  policyFor,
  sleep,
  withRetries,
} from '../../../../src/sinks/opensearch/backoff.ts';

const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelayMs', () => {
  it.each([
    [0, 50, 100],
    [1, 100, 200],
    [2, 200, 400],
    [3, 400, 800],
    [4, 500, 1000],
    [10, 500, 1000],
  ])('retry %i waits between %i and %i ms', (retry, low, high) => {
    expect(backoffDelayMs(policy, retry, () => 0)).toBe(low);
    expect(backoffDelayMs(policy, retry, () => 1)).toBe(high);
    const some = backoffDelayMs(policy, retry, Math.random);
    expect(some).toBeGreaterThanOrEqual(low);
    expect(some).toBeLessThanOrEqual(high);
  });

  it('waits much longer for a cluster block than for a throttle', () => {
    expect(policyFor(DEFAULT_BACKOFF, 'blocked')).toBe(DEFAULT_BACKOFF.blocked);
    expect(policyFor(DEFAULT_BACKOFF, 'throttled')).toBe(DEFAULT_BACKOFF.transient);
    const total = (p: typeof policy): number =>
      Array.from({ length: p.maxRetries }, (_, retry) => backoffDelayMs(p, retry, () => 1)).reduce(
        (a, b) => a + b,
        0,
      );
    expect(total(DEFAULT_BACKOFF.transient)).toBeLessThan(90_000);
    expect(total(DEFAULT_BACKOFF.blocked)).toBeGreaterThan(5 * 60_000);
  });
});

describe('sleep', () => {
  it('returns early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('withRetries', () => {
  const policies: BackoffPolicies = { transient: policy, blocked: policy };
  const connectionError = Object.assign(new Error('ECONNREFUSED'), { name: 'ConnectionError' });

  it('retries transient failures with backoff, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw connectionError;
        return 'ok';
      },
      { policies, random: () => 0, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the budget and throws the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw connectionError;
        },
        { policies, random: () => 0, sleep: async () => {} },
      ),
    ).rejects.toBe(connectionError);
    expect(calls).toBe(policy.maxRetries + 1);
  });

  it('does not retry what retrying cannot fix', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('Unauthorized'), {
      name: 'ResponseError',
      meta: { statusCode: 401 },
    });
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw refused;
        },
        { policies, random: () => 0, sleep: async () => {} },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
