import type { Client } from '@opensearch-project/opensearch';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IndexCreationError, IndexManager } from '../../../../src/sinks/opensearch/index-manager.ts';
import { createSinkCounters } from '../../../../src/sinks/opensearch/sink-counters.ts';
import { responseError } from './fake-opensearch.ts';

function manager(create: (index: string) => Promise<unknown>) {
  const counters = createSinkCounters();
  const waits: number[] = [];
  const client = {
    indices: { create: ({ index }: { index: string }) => create(index) },
  } as unknown as Client;
  const indexes = new IndexManager({
    client,
    logger: pino({ level: 'silent' }),
    counters,
    retry: {
      policies: {
        transient: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 100 },
        blocked: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 100 },
      },
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    },
  });
  return { indexes, counters, waits };
}

const alreadyExists = () =>
  responseError(400, {
    error: { type: 'resource_already_exists_exception', reason: 'index [x/uuid] already exists' },
  });

describe('IndexManager', () => {
  it('creates each new index once for many concurrent writers, one creation at a time', async () => {
    const calls: string[] = [];
    let running = 0;
    let peak = 0;
    const { indexes, counters } = manager(async (index) => {
      calls.push(index);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running -= 1;
    });
    const names = ['a', 'b', 'c', 'd', 'e'].map((name) => `cloudtrail-${name}`);
    await Promise.all(Array.from({ length: 20 }, (_, writer) => indexes.ensure(names[writer % 5] ?? '')));
    expect(calls.sort()).toEqual(names);
    expect(peak).toBe(1);
    expect(counters.indexesCreated).toBe(5);
    expect(names.every((name) => indexes.isKnown(name))).toBe(true);
    await indexes.ensure('cloudtrail-a');
    expect(calls).toHaveLength(5);
  });

  it('takes an index another process created meanwhile as success', async () => {
    const { indexes, counters } = manager(async () => {
      throw alreadyExists();
    });
    await indexes.ensure('cloudtrail-x');
    expect(indexes.isKnown('cloudtrail-x')).toBe(true);
    expect(counters).toMatchObject({ indexesCreated: 0, indexesAlreadyExisting: 1 });
  });

  it('retries a creation that failed for a transient reason', async () => {
    let attempts = 0;
    const { indexes, waits } = manager(async () => {
      attempts += 1;
      if (attempts === 1) throw responseError(503);
      if (attempts === 2) throw alreadyExists();
    });
    await indexes.ensure('cloudtrail-x');
    expect(attempts).toBe(2);
    expect(waits).toEqual([5]);
  });

  it('fails with the index and the reason, and tries again on the next call', async () => {
    let attempts = 0;
    const { indexes } = manager(async () => {
      attempts += 1;
      throw responseError(400, {
        error: { type: 'invalid_index_name_exception', reason: 'must be lowercase' },
      });
    });
    const failure = await indexes.ensure('Bad').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IndexCreationError);
    expect((failure as Error).message).toBe(
      'Could not create index Bad: HTTP 400: invalid_index_name_exception: must be lowercase',
    );
    await expect(indexes.ensure('Bad')).rejects.toThrow(IndexCreationError);
    expect(attempts).toBe(2);
  });

  it('creates a forgotten index again', async () => {
    let attempts = 0;
    const { indexes } = manager(async () => {
      attempts += 1;
    });
    await indexes.ensure('cloudtrail-x');
    indexes.forget('cloudtrail-x');
    await indexes.ensure('cloudtrail-x');
    expect(attempts).toBe(2);
  });
});
