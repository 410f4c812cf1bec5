import { setTimeout as delay } from 'node:timers/promises';
import { classifyRequestFailure, type FailureClass, type FailureKind } from './classify-failure.ts';

/** How long and how often to retry one kind of transient failure. */
export interface RetryPolicy {
  /** Retries after the first attempt; the request is tried at most `maxRetries + 1` times. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface BackoffPolicies {
  /** 429s, 5xx, connection errors: short waits, the cluster usually recovers within seconds. */
  readonly transient: RetryPolicy;
  /** Cluster blocks (read-only index, disk flood stage): an operator has to act, so wait long. */
  readonly blocked: RetryPolicy;
}

/** About 1 minute of retries for transient trouble, about 6 minutes for a write block. */
export const DEFAULT_BACKOFF: BackoffPolicies = Object.freeze({
  transient: Object.freeze({ maxRetries: 8, baseDelayMs: 250, maxDelayMs: 20_000 }),
  blocked: Object.freeze({ maxRetries: 10, baseDelayMs: 5_000, maxDelayMs: 60_000 }),
});

export function policyFor(policies: BackoffPolicies, kind: FailureKind): RetryPolicy {
  return kind === 'blocked' ? policies.blocked : policies.transient;
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random, so
 * writers that failed together do not retry together, yet no retry comes back immediately.
 * `retry` counts from 0 for the first retry.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Waits, or returns early when the signal aborts (shutdown must not wait out a long backoff). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
};

export interface RetryOptions {
  readonly policies: BackoffPolicies;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (failure: FailureClass, retry: number, delayMs: number) => void;
}

/**
 * Runs a single request (index creation, template install), retrying what the classification
 * calls transient; anything else, or the last failure, is thrown to the caller.
 */
export async function withRetries<T>(request: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await request();
    } catch (error) {
      const failure = classifyRequestFailure(error);
      const policy = policyFor(options.policies, failure.kind);
      if (failure.action !== 'retry' || retry >= policy.maxRetries || options.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(policy, retry, options.random);
      options.onRetry?.(failure, retry, delayMs);
      await options.sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
