import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../../../src/sinks/opensearch/backoff.ts';
import { type BulkItem, bulkItemOf } from '../../../../src/sinks/opensearch/bulk-item.ts';
import {
  BULK_RESPONSE_FILTER,
  type DeliveryContext,
  deliverBatch,
} from '../../../../src/sinks/opensearch/deliver-batch.ts';
import { FileOutcome } from '../../../../src/sinks/opensearch/file-outcome.ts';
import {
  documents,
  FakeOpenSearch,
  type ItemAnswer,
  ok,
  responseError,
  throttled,
  writerDeps,
} from './fake-opensearch.ts';

/** A FileOutcome that also counts, per document, how often each verdict was given. */
class CountingOutcome extends FileOutcome {
  readonly verdicts = new Map<string, number>();
  #count(id: string): void {
    this.verdicts.set(id, (this.verdicts.get(id) ?? 0) + 1);
  }
  override accept(item: BulkItem): void {
    this.#count(item.id);
    super.accept(item);
  }
  override acceptUnchanged(item: BulkItem): void {
    // accept() counts it: unchanged is a kind of accepted.
    super.acceptUnchanged(item);
  }
  override conflict(item: Pick<BulkItem, 'id' | 'index'>, reason: string): void {
    this.#count(item.id);
    super.conflict(item, reason);
  }
  override fail(item: Pick<BulkItem, 'id' | 'index'>, reason: string): void {
    this.#count(item.id);
    super.fail(item, reason);
  }
  override interrupt(item: Pick<BulkItem, 'id' | 'index'>): void {
    this.#count(item.id);
    super.interrupt(item);
  }
}

function context(fake: FakeOpenSearch, signal?: AbortSignal) {
  const { deps, waits } = writerDeps(fake);
  const outcome = new CountingOutcome('f', pino({ level: 'silent' }), deps.counters);
  const delivery: DeliveryContext = { ...deps, outcome, ...(signal ? { signal } : {}) };
  return { delivery, outcome, waits, counters: deps.counters };
}

const items = (count: number): BulkItem[] => documents(count).map(bulkItemOf);

describe('deliverBatch', () => {
  it("asks OpenSearch for each item's status and error only (filter_path)", async () => {
    const fake = new FakeOpenSearch();
    const { delivery, outcome } = context(fake);
    await deliverBatch(items(2), delivery);
    expect(outcome.accepted).toBe(2);
    expect(new URLSearchParams(fake.bulkQueries[0]).get('filter_path')).toBe(BULK_RESPONSE_FILTER);
  });

  it('splits a batch the cluster finds too large (HTTP 413) until the halves pass', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => {
      if (docs.length > 1) throw responseError(413);
      return docs.map(() => ok);
    };
    const { delivery, outcome, counters } = context(fake);
    await deliverBatch(items(4), delivery);
    expect(outcome.accepted).toBe(4);
    expect(counters.bulkSplits).toBe(3);
    expect(fake.bodies.map((body) => body.split('\n').length / 2 - 0.5)).toEqual([4, 2, 1, 1, 2, 1, 1]);
  });

  it('retries a whole request the client could not get an answer to, with backoff', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs, request) => {
      if (request === 1) throw Object.assign(new Error('socket hang up'), { name: 'ConnectionError' });
      return docs.map(() => ok);
    };
    const { delivery, outcome, waits } = context(fake);
    await deliverBatch(items(3), delivery);
    expect(outcome.accepted).toBe(3);
    expect(waits).toHaveLength(1);
  });

  it('fails every item of a request refused for good, with the HTTP reason', async () => {
    const fake = new FakeOpenSearch();
    fake.script = () => {
      throw responseError(403, {
        error: { type: 'security_exception', reason: 'no permissions for [indices:data/write/bulk]' },
      });
    };
    const { delivery, outcome } = context(fake);
    await deliverBatch(items(2), delivery);
    expect(outcome.failed).toHaveLength(2);
    expect(outcome.failed[0]?.reason).toMatch(/^HTTP 403: .*security_exception/);
  });

  it('sends nothing and counts every item interrupted, not failed, when the signal is aborted', async () => {
    const fake = new FakeOpenSearch();
    const stop = new AbortController();
    stop.abort();
    const { delivery, outcome, counters } = context(fake, stop.signal);
    await deliverBatch(items(3), delivery);
    expect(fake.bodies).toEqual([]);
    expect(outcome.aborted).toBe(true);
    expect(outcome.interrupted).toBe(3);
    expect(outcome.failed).toEqual([]);
    expect(counters).toMatchObject({ documentsInterrupted: 3, documentsFailed: 0 });
  });

  it('counts items the cluster pushed back on as interrupted once the signal is aborted, without waiting', async () => {
    const fake = new FakeOpenSearch();
    const stop = new AbortController();
    fake.script = (docs) => {
      stop.abort();
      return docs.map(() => throttled);
    };
    const { delivery, outcome, waits, counters } = context(fake, stop.signal);
    await deliverBatch(items(3), delivery);
    expect(fake.bodies).toHaveLength(1);
    expect(waits).toEqual([]);
    // A shutdown is not the cluster refusing them: not failed with the 429 as their reason.
    expect(outcome.failed).toEqual([]);
    expect(outcome.interrupted).toBe(3);
    expect(counters).toMatchObject({ documentsInterrupted: 3, documentsFailed: 0, throttled: 3 });
  });

  // The real abortable sleep, a wait far longer than the test: only the abort can end it.
  const abortDuringWait = (stop: AbortController) => async (ms: number, signal?: AbortSignal) => {
    setImmediate(() => stop.abort());
    await sleep(ms, signal);
  };
  const longWaits = {
    transient: { maxRetries: 3, baseDelayMs: 600_000, maxDelayMs: 600_000 },
    blocked: { maxRetries: 2, baseDelayMs: 600_000, maxDelayMs: 600_000 },
  };

  it('ends a backoff wait on 429 items at the abort, and counts them interrupted, not failed', async () => {
    const fake = new FakeOpenSearch();
    const stop = new AbortController();
    fake.script = (docs) => docs.map((_, n) => (n === 0 ? ok : throttled));
    const { delivery, outcome, counters } = context(fake, stop.signal);
    await deliverBatch(items(3), { ...delivery, policies: longWaits, sleep: abortDuringWait(stop) });
    expect(fake.bodies).toHaveLength(1);
    expect(outcome).toMatchObject({ accepted: 1, interrupted: 2, failed: [], aborted: true });
    expect(counters).toMatchObject({ documentsInterrupted: 2, documentsFailed: 0, bulkRetries: 1 });
    expect(outcome.verdicts.size).toBe(3);
  });

  it('ends a backoff wait on a 503 answer to the whole request at the abort, and counts its items interrupted', async () => {
    const fake = new FakeOpenSearch();
    const stop = new AbortController();
    fake.script = () => {
      throw responseError(503);
    };
    const { delivery, outcome, counters } = context(fake, stop.signal);
    await deliverBatch(items(2), { ...delivery, policies: longWaits, sleep: abortDuringWait(stop) });
    expect(fake.bodies).toHaveLength(1);
    expect(outcome).toMatchObject({ accepted: 0, interrupted: 2, failed: [], aborted: true });
    expect(counters).toMatchObject({ documentsInterrupted: 2, documentsFailed: 0 });
  });

  it('still fails, with the cluster reason, items whose retries ran out before any abort', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => docs.map(() => throttled);
    const { delivery, outcome, counters } = context(fake, new AbortController().signal);
    await deliverBatch(items(2), delivery);
    expect(outcome.interrupted).toBe(0);
    expect(outcome.failed.map((failure) => failure.reason)).toEqual(
      Array(2).fill(expect.stringMatching(/^HTTP 429|es_rejected_execution_exception/)),
    );
    expect(counters).toMatchObject({ documentsInterrupted: 0, documentsFailed: 2 });
  });

  it('gives every item exactly one verdict, whatever the cluster answers', async () => {
    const mapping: ItemAnswer = {
      status: 400,
      error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n] of type [long]' },
    };
    const conflict: ItemAnswer = {
      status: 409,
      error: { type: 'version_conflict_engine_exception', reason: 'document already exists' },
    };
    const answer = fc.constantFrom<ItemAnswer | 'request-503' | 'request-413'>(
      ok,
      throttled,
      mapping,
      conflict,
      'request-503',
      'request-413',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(answer, { minLength: 1, maxLength: 40 }),
        async (count, answers) => {
          const fake = new FakeOpenSearch();
          let next = 0;
          const pick = () => answers[next++ % answers.length]!;
          // Some documents are indexed already: half with the same content, half with other content.
          for (const document of documents(count).filter((_, n) => n % 3 === 0)) {
            const body = Number(document.id.slice(6)) % 2 === 0 ? document.body : '{"eventID":"other"}';
            fake.stored.set(`${document.index}/${document.id}`, body);
          }
          fake.script = (docs) => {
            const first = pick();
            if (first === 'request-503') throw responseError(503);
            if (first === 'request-413') throw responseError(413);
            return docs.map(() => {
              const each = pick();
              return typeof each === 'string' ? ok : each;
            });
          };
          const { delivery, outcome } = context(fake);
          await deliverBatch(items(count), delivery);
          expect([...outcome.verdicts.values()].every((times) => times === 1)).toBe(true);
          expect(outcome.verdicts.size).toBe(count);
          expect(outcome.accepted + outcome.failed.length + outcome.conflicts.length).toBe(count);
          expect(outcome.interrupted).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
