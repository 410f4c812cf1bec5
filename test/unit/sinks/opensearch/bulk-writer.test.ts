import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../../src/core/classify-object-key.ts';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import type { DocumentsInHand } from '../../../../src/core/sink-port.ts';
import { transformLogFile } from '../../../../src/pipeline/transform-log-file.ts';
import { writeDocuments } from '../../../../src/sinks/opensearch/bulk-writer.ts';
import {
  blocked,
  documents,
  FakeOpenSearch,
  type ItemAnswer,
  ok,
  responseError,
  throttled,
  writerDeps,
} from './fake-opensearch.ts';

const limits = { maxBytes: 5 * 1024 * 1024, maxDocuments: 1000 };

describe('writeDocuments', () => {
  it('sends the documents as they are, by concatenation, with their index and _id', async () => {
    const fake = new FakeOpenSearch();
    const docs: IndexableDocument[] = [
      {
        index: 'cloudtrail-2024-05',
        id: 'a"b',
        body: '{"big":12345678901234567890,"one":1.0,"s":"é\\u0000"}',
      },
    ];
    const result = await writeDocuments(docs, { file: 'f' }, writerDeps(fake).deps, limits);
    expect(fake.bodies).toEqual([
      `{"create":{"_index":"cloudtrail-2024-05","_id":"a\\"b"}}\n{"big":12345678901234567890,"one":1.0,"s":"é\\u0000"}\n`,
    ]);
    expect(result).toEqual({
      file: 'f',
      ok: true,
      accepted: 1,
      repaired: 0,
      failed: [],
      interrupted: 0,
      conflicts: [],
      unchanged: 0,
      indexes: ['cloudtrail-2024-05'],
      blocked: false,
      aborted: false,
    });
  });

  it('bounds every bulk body by bytes and by count', async () => {
    const fake = new FakeOpenSearch();
    const docs = documents(50);
    const maxBytes = 700;
    const result = await writeDocuments(docs, { file: 'f' }, writerDeps(fake).deps, {
      maxBytes,
      maxDocuments: 4,
    });
    expect(result.accepted).toBe(50);
    for (const body of fake.bodies) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes);
      expect(body.split('\n').length - 1).toBeLessThanOrEqual(8);
    }
    expect(fake.bodies.join('').split('\n').length - 1).toBe(100);
  });

  it('sends a document larger than the byte bound alone', async () => {
    const fake = new FakeOpenSearch();
    const big = { index: 'cloudtrail-2024-05', id: 'big', body: JSON.stringify({ x: 'y'.repeat(2000) }) };
    const result = await writeDocuments(
      [...documents(2), big, ...documents(2)],
      { file: 'f' },
      writerDeps(fake).deps,
      {
        maxBytes: 1000,
        maxDocuments: 100,
      },
    );
    expect(result.ok).toBe(true);
    expect(fake.bodies.map((body) => body.split('\n').length - 1)).toEqual([4, 2, 4]);
  });

  it('sends alike documents side by side: by kind, file order kept within a kind, each answer to its own', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => docs.map((doc) => (doc.id === 'event-2' ? throttled : ok));
    const kinds = ['PutObject', 'GetObject', undefined, 'GetObject', 'PutObject', 'GetObject'];
    const docs = documents(kinds.length).map((doc, n) => {
      const kind = kinds[n];
      return kind === undefined ? doc : { ...doc, kind };
    });
    const { deps } = writerDeps(fake);
    const result = await writeDocuments(docs, { file: 'f' }, deps, limits);
    const idsOf = (body: string): string[] => [...body.matchAll(/"_id":"(event-\d+)"/g)].map((m) => m[1]!);
    expect(idsOf(fake.bodies[0]!)).toEqual([
      'event-1',
      'event-3',
      'event-5',
      'event-0',
      'event-4',
      'event-2',
    ]);
    // Each document line follows its own action line.
    for (const [action, document] of pairs(fake.bodies[0]!))
      expect(JSON.parse(document).eventID).toBe(JSON.parse(action).create._id);
    expect(result.accepted).toBe(5);
    expect(result.failed.map((failure) => failure.id)).toEqual(['event-2']);
    // The batch's first buffer and its reordered copy both went back to the pool.
    expect(deps.buffers.free).toBe(2);
  });

  it('keeps the bulk requests in flight within the bound across files', async () => {
    const fake = new FakeOpenSearch();
    fake.script = async (docs) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return docs.map(() => ok);
    };
    const { deps } = writerDeps(fake, 2);
    const results = await Promise.all(
      [1, 2, 3].map((file) =>
        writeDocuments(documents(40), { file: `f${file}` }, deps, { maxBytes: 10_000, maxDocuments: 5 }),
      ),
    );
    expect(results.every((result) => result.ok && result.accepted === 40)).toBe(true);
    expect(fake.peakInFlight).toBe(2);
  });

  it('reuses the buffers of delivered batches, never one whose request is still in flight', async () => {
    const fake = new FakeOpenSearch();
    // Retries and splits send parts of a batch again from its buffer while other batches fill theirs.
    fake.script = async (docs, request) => {
      await new Promise((resolve) => setTimeout(resolve, request % 3));
      return docs.map((_, position) => (request % 4 === 0 && position % 2 === 0 ? throttled : ok));
    };
    const { deps } = writerDeps(fake, 2);
    const results = await Promise.all(
      [1, 2, 3].map((file) =>
        writeDocuments(documents(60, `cloudtrail-f${file}`), { file: `f${file}` }, deps, {
          maxBytes: 2_000,
          maxDocuments: 5,
        }),
      ),
    );
    expect(results.every((result) => result.ok && result.accepted === 60)).toBe(true);
    // Fewer buffers than batches: each file's next one, and those in flight, at most.
    expect(fake.bodies.length).toBeGreaterThan(36);
    expect(deps.buffers.free).toBeGreaterThan(0);
    expect(deps.buffers.free).toBeLessThanOrEqual(3 + 2);
    expect(fake.stored.size).toBe(180);
  });

  it('retries throttled items with growing backoff until they are accepted', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs, request) => docs.map((_, n) => (request <= 2 && n % 2 === 0 ? throttled : ok));
    const { deps, waits, pressure } = writerDeps(fake);
    const result = await writeDocuments(documents(6), { file: 'f' }, deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 6, failed: [] });
    expect(fake.bodies.map((body) => body.split('\n').length / 2 - 0.5)).toEqual([6, 3, 2]);
    expect(waits).toEqual([50, 100]);
    expect(pressure.map((event) => event.kind)).toEqual(['throttled', 'throttled']);
    expect(deps.counters).toMatchObject({ throttled: 5, bulkRetries: 2, documentsAccepted: 6 });
  });

  it('retries a whole request refused with 503 or a connection error', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs, request) => {
      if (request === 1)
        throw responseError(503, { error: { type: 'unavailable_shards_exception', reason: 'x' } });
      if (request === 2) throw Object.assign(new Error('socket hang up'), { name: 'ConnectionError' });
      return docs.map(() => ok);
    };
    const { deps, waits } = writerDeps(fake);
    const result = await writeDocuments(documents(3), { file: 'f' }, deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 3 });
    expect(waits).toHaveLength(2);
  });

  it('reports what is still failing after the retry budget, with _id, index and reason', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => docs.map((doc) => (doc.id === 'event-1' ? throttled : ok));
    const { deps, waits } = writerDeps(fake);
    const result = await writeDocuments(documents(3), { file: 'f' }, deps, limits);
    expect(result.ok).toBe(false);
    expect(result.accepted).toBe(2);
    expect(result.failed).toEqual([
      {
        id: 'event-1',
        index: 'cloudtrail-2024-05',
        reason: 'es_rejected_execution_exception: rejected execution of coordinating operation',
      },
    ]);
    expect(waits).toHaveLength(3);
    expect(deps.counters.documentsFailed).toBe(1);
  });

  it('splits a batch refused with 413 until the halves pass', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) => {
      if (docs.length > 2) throw responseError(413);
      return docs.map(() => ok);
    };
    const { deps, waits } = writerDeps(fake);
    const result = await writeDocuments(documents(7), { file: 'f' }, deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 7 });
    expect(waits).toEqual([]);
    expect(deps.counters.bulkSplits).toBeGreaterThanOrEqual(3);
  });

  it('fails a single document too large for the cluster', async () => {
    const fake = new FakeOpenSearch();
    fake.script = () => {
      throw responseError(413);
    };
    const result = await writeDocuments(documents(1), { file: 'f' }, writerDeps(fake).deps, limits);
    expect(result.failed).toEqual([
      { id: 'event-0', index: 'cloudtrail-2024-05', reason: expect.stringMatching(/^HTTP 413/) },
    ]);
  });

  it('repairs a document the mapping refuses and sends it again, marked', async () => {
    const fake = new FakeOpenSearch();
    const conflict: ItemAnswer = {
      status: 400,
      error: {
        type: 'mapper_parsing_exception',
        reason: "failed to parse field [n] of type [long] in document with id 'x'",
      },
    };
    fake.script = (docs) =>
      docs.map((doc) => (doc.id === 'event-1' && !doc.body.includes('indexerRepair') ? conflict : ok));
    const { deps, waits } = writerDeps(fake);
    const result = await writeDocuments(documents(3), { file: 'f' }, deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 3, repaired: 1 });
    expect(waits).toEqual([]);
    const resent = fake.bodies[1]?.split('\n')[1] ?? '';
    expect(JSON.parse(resent)).toEqual({
      eventID: 'event-1',
      eventName: 'GetObject',
      exact: 1,
      indexerRepair: {
        fields: ['n'],
        reasons: [`mapper_parsing_exception: ${conflict.error?.reason}`],
        values: '{"n":1}',
      },
    });
    expect(resent).toContain('"exact":1.0');
  });

  it('fails a document whose repair cannot succeed, and one retrying cannot fix', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs) =>
      docs.map((doc) =>
        doc.id === 'event-0'
          ? {
              status: 400,
              error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [nowhere]' },
            }
          : doc.id === 'event-1'
            ? { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'conflict' } }
            : ok,
      );
    const result = await writeDocuments(documents(3), { file: 'f' }, writerDeps(fake).deps, limits);
    expect(result.accepted).toBe(1);
    expect(result.failed.map((failure) => failure.id).sort()).toEqual(['event-0', 'event-1']);
  });

  it('waits long on a cluster block and reports it so the caller can stop taking work', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs, request) => docs.map(() => (request === 1 ? blocked : ok));
    const { deps, waits, pressure } = writerDeps(fake);
    const result = await writeDocuments(documents(2), { file: 'f' }, deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 2, blocked: true });
    expect(waits).toEqual([5000]);
    expect(pressure).toEqual([expect.objectContaining({ kind: 'blocked', delayMs: 5000 })]);
    expect(deps.counters.clusterBlocks).toBe(2);
  });

  it('creates each index once before its first document, and again if it vanished', async () => {
    const fake = new FakeOpenSearch();
    fake.script = (docs, request) =>
      docs.map(() =>
        request === 1
          ? {
              status: 404,
              error: { type: 'index_not_found_exception', reason: 'no such index [cloudtrail-2024-05]' },
            }
          : ok,
      );
    const result = await writeDocuments(
      [...documents(3), ...documents(2, 'cloudtrail-2024-06')],
      { file: 'f' },
      writerDeps(fake).deps,
      limits,
    );
    expect(result).toMatchObject({
      ok: true,
      accepted: 5,
      indexes: ['cloudtrail-2024-05', 'cloudtrail-2024-06'],
    });
    expect(fake.created).toEqual([
      'cloudtrail-2024-05',
      'cloudtrail-2024-06',
      'cloudtrail-2024-05',
      'cloudtrail-2024-06',
    ]);
  });

  it('fails the documents of an index that cannot be created, asking only once per file', async () => {
    const fake = new FakeOpenSearch();
    fake.createScript = (index) => {
      if (index.endsWith('13'))
        throw responseError(400, { error: { type: 'invalid_index_name_exception', reason: 'bad' } });
    };
    const result = await writeDocuments(
      [...documents(3, 'cloudtrail-2024-13'), ...documents(2)],
      { file: 'f' },
      writerDeps(fake).deps,
      limits,
    );
    expect(result.accepted).toBe(2);
    expect(result.failed).toHaveLength(3);
    expect(result.failed[0]?.reason).toMatch(/Could not create index cloudtrail-2024-13: HTTP 400/);
    expect(fake.created.filter((index) => index === 'cloudtrail-2024-13')).toHaveLength(1);
  });

  it('stops on abort: undelivered documents are interrupted (not failed) and the file is not ok', async () => {
    const fake = new FakeOpenSearch();
    const controller = new AbortController();
    fake.script = (docs) => docs.map(() => throttled);
    const harness = writerDeps(fake);
    const deps = { ...harness.deps, sleep: async () => controller.abort() };
    const result = await writeDocuments(documents(4), { file: 'f', signal: controller.signal }, deps, limits);
    expect(result).toMatchObject({ ok: false, aborted: true, accepted: 0, interrupted: 4, failed: [] });
    expect(deps.counters).toMatchObject({ documentsInterrupted: 4, documentsFailed: 0 });
  });

  it('rethrows a failure of the document source once the batches in flight have settled', async () => {
    const fake = new FakeOpenSearch();
    async function* broken(): AsyncGenerator<IndexableDocument> {
      yield* documents(3);
      throw new Error('corrupt gzip at byte 1234');
    }
    await expect(
      writeDocuments(broken(), { file: 'f' }, writerDeps(fake).deps, { maxBytes: 10_000, maxDocuments: 2 }),
    ).rejects.toThrow('corrupt gzip');
    expect(fake.inFlight).toBe(0);
  });

  it('takes the documents a source has in hand (takeReady) without an await for each', async () => {
    const fake = new FakeOpenSearch();
    const source = inHand([documents(3), documents(5).slice(3)]);
    const result = await writeDocuments(source, { file: 'f' }, writerDeps(fake).deps, limits);
    expect(result).toMatchObject({ ok: true, accepted: 5 });
    expect([...fake.bodies.join('').matchAll(/"_id":"(event-\d+)"/g)].map((m) => m[1])).toEqual([
      'event-0',
      'event-1',
      'event-2',
      'event-3',
      'event-4',
    ]);
    // One next() a chunk, and the one that says the source is done.
    expect(source.nextCalls).toBe(3);
  });

  it('closes a source that fails in takeReady, delivers the documents before it, and rethrows', async () => {
    const fake = new FakeOpenSearch();
    const source = inHand([documents(3), documents(5).slice(3)], { failAt: 4 });
    await expect(
      writeDocuments(source, { file: 'f' }, writerDeps(fake).deps, { maxBytes: 10_000, maxDocuments: 2 }),
    ).rejects.toThrow('broken record 4');
    expect(source.returned).toBe(true);
    expect(fake.inFlight).toBe(0);
    expect(fake.bodies.join('').match(/"_id"/g)).toHaveLength(2);
  });

  it('closes the source when the write is aborted while it drains the documents in hand', async () => {
    const fake = new FakeOpenSearch();
    const controller = new AbortController();
    const source = inHand([documents(4)], { onTake: (n) => n === 2 && controller.abort() });
    const result = await writeDocuments(
      source,
      { file: 'f', signal: controller.signal },
      writerDeps(fake).deps,
      limits,
    );
    expect(source.returned).toBe(true);
    expect(result).toMatchObject({ ok: false, aborted: true, accepted: 0, interrupted: 2 });
  });

  it('with transformLogFile: a broken record fails the file, closed, after the batches before it are sent', async () => {
    const fake = new FakeOpenSearch();
    const event = (n: number): string => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`;
    let closed = false;
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from(`{"Records":[${event(0)},${event(1)},{"a":1 "b":2},`);
        yield Buffer.from(`${event(3)}]}`);
      } finally {
        closed = true;
      }
    }
    const file = { name: 'broken.json', keyInfo: classifyObjectKey('broken.json') };
    await expect(
      writeDocuments(transformLogFile(chunks(), file), { file: file.name }, writerDeps(fake).deps, {
        maxBytes: 10_000,
        maxDocuments: 1,
      }),
    ).rejects.toMatchObject({ reason: 'invalid-json', recordNumber: 3 });
    expect(closed).toBe(true);
    expect(fake.inFlight).toBe(0);
    // e0's batch went out when e1 came; e1's batch was still being filled when the file failed.
    expect([...fake.bodies.join('').matchAll(/"_id":"(e\d+)"/g)].map((m) => m[1])).toEqual(['e0']);
  });

  it('accounts for every document exactly once, whatever the cluster answers', async () => {
    const answer = fc.constantFrom<ItemAnswer | 'request-503' | 'request-413'>(
      ok,
      ok,
      throttled,
      blocked,
      {
        status: 400,
        error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n] of type [long]' },
      },
      { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'conflict' } },
      { status: 500, error: { type: 'exception', reason: 'boom' } },
      'request-503',
      'request-413',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(answer, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 8 }),
        async (count, answers, maxDocuments) => {
          const fake = new FakeOpenSearch();
          let next = 0;
          const take = () => answers[next++ % answers.length];
          fake.script = (docs) => {
            const first = take();
            if (first === 'request-503') throw responseError(503);
            if (first === 'request-413') throw responseError(413);
            return docs.map((_, n) => {
              const item = n === 0 ? first : take();
              return typeof item === 'string' || item === undefined ? ok : item;
            });
          };
          // Kinds that the writer reorders within each batch, and documents without one.
          const kinds = ['PutObject', 'GetObject', undefined];
          const docs = documents(count).map((doc, n) => {
            const kind = kinds[n % kinds.length];
            return kind === undefined ? doc : { ...doc, kind };
          });
          const result = await writeDocuments(docs, { file: 'f' }, writerDeps(fake).deps, {
            maxBytes: 100_000,
            maxDocuments,
          });
          const failedIds = result.failed.map((failure) => failure.id);
          expect(result.accepted + result.failed.length).toBe(count);
          expect(new Set(failedIds).size).toBe(failedIds.length);
          expect(result.ok).toBe(result.failed.length === 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('create, never replace (cross-file overwrite)', () => {
    const conflict: ItemAnswer = {
      status: 409,
      error: {
        type: 'version_conflict_engine_exception',
        reason: '[event-0]: version conflict, document already exists',
      },
    };

    it('accepts a redelivered document whose indexed copy has the same content, writing nothing', async () => {
      const fake = new FakeOpenSearch();
      const [first] = documents(1);
      fake.stored.set(`${first!.index}/${first!.id}`, first!.body);
      fake.script = (docs) => docs.map(() => conflict);
      const { deps } = writerDeps(fake);
      const result = await writeDocuments(documents(1), { file: 'f' }, deps, limits);
      expect(result).toMatchObject({ ok: true, accepted: 1, unchanged: 1, conflicts: [], failed: [] });
      expect(fake.mgets).toEqual([[{ _index: 'cloudtrail-2024-05', _id: 'event-0' }]]);
      expect(deps.counters.documentsUnchanged).toBe(1);
    });

    it('reports a document whose _id holds other content, and leaves the indexed one alone', async () => {
      const fake = new FakeOpenSearch();
      fake.stored.set('cloudtrail-2024-05/event-0', '{"eventID":"event-0","eventName":"TheRealOne"}');
      fake.script = (docs) => docs.map((doc) => (doc.id === 'event-0' ? conflict : ok));
      const { deps } = writerDeps(fake);
      const result = await writeDocuments(documents(3), { file: 'f' }, deps, limits);
      expect(result.ok).toBe(true);
      expect(result.accepted).toBe(2);
      expect(result.conflicts).toEqual([
        {
          id: 'event-0',
          index: 'cloudtrail-2024-05',
          reason: 'cloudtrail-2024-05 already holds a document with _id "event-0" and other content',
        },
      ]);
      expect(fake.stored.get('cloudtrail-2024-05/event-0')).toContain('TheRealOne');
      expect(deps.counters.documentsConflicting).toBe(1);
    });

    it('fails a document answered 409 whose holder then cannot be found, after sending it again', async () => {
      const fake = new FakeOpenSearch();
      fake.script = (docs) => docs.map(() => conflict);
      const result = await writeDocuments(documents(1), { file: 'f' }, writerDeps(fake).deps, limits);
      expect(result.failed).toEqual([
        { id: 'event-0', index: 'cloudtrail-2024-05', reason: 'the _id was taken, then vanished' },
      ]);
      expect(fake.bodies).toHaveLength(3);
    });
  });
});

/** A bulk body's lines, two by two: each action line with the document line after it. */
function pairs(body: string): Array<[string, string]> {
  const lines = body.trimEnd().split('\n');
  return Array.from({ length: lines.length / 2 }, (_, n) => [lines[2 * n]!, lines[2 * n + 1]!]);
}

/**
 * A source of documents in chunks, as transformLogFile is: next() awaits the chunk's first document,
 * takeReady() hands out the rest of it. `failAt` throws from takeReady at that document (counted from
 * 0 over the whole source); `onTake` is told of each document taken by takeReady.
 */
function inHand(
  chunks: IndexableDocument[][],
  options: { failAt?: number; onTake?: (n: number) => unknown } = {},
): AsyncIterableIterator<IndexableDocument> & DocumentsInHand & { nextCalls: number; returned: boolean } {
  let chunk = -1;
  let at = 0;
  let taken = 0;
  const source = {
    nextCalls: 0,
    returned: false,
    async next(): Promise<IteratorResult<IndexableDocument>> {
      source.nextCalls++;
      await Promise.resolve();
      chunk++;
      at = 0;
      const first = chunks[chunk]?.[at++];
      if (first === undefined) return { done: true, value: undefined };
      taken++;
      return { done: false, value: first };
    },
    takeReady(): IndexableDocument | undefined {
      const document = chunks[chunk]?.[at];
      if (document === undefined) return undefined;
      if (taken === options.failAt) throw new Error(`broken record ${taken}`);
      at++;
      const n = taken++;
      options.onTake?.(n);
      return document;
    },
    async return(): Promise<IteratorResult<IndexableDocument>> {
      source.returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return source;
    },
  };
  return source;
}
