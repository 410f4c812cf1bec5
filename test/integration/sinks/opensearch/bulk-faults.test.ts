import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PressureEvent } from '../../../../src/sinks/opensearch/sink-hooks.ts';
import { type FaultProxy, startFaultProxy } from '../../../helpers/fault-proxy.ts';
import { stackEnv } from '../../../helpers/stack.ts';
import { countDocuments, derivedDocuments, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

const bulkRequests = (proxy: FaultProxy) =>
  proxy.requests.filter((request) => request.path.endsWith('/_bulk'));

describe('bulk writes through faults, against real OpenSearch', () => {
  let proxy: FaultProxy;
  const cleanups: Array<() => Promise<void>> = [];
  const sinkThroughProxy = (name: string, env: Record<string, string> = {}) => {
    const prefix = uniquePrefix(name);
    const pressure: PressureEvent[] = [];
    const sink = testSink(
      prefix,
      { OPENSEARCH_URL: proxy.url, ...env },
      { hooks: { onPressure: (event) => pressure.push(event) } },
    );
    cleanups.push(async () => {
      await removePrefix(sink.client, prefix);
      await sink.close();
    });
    return { prefix, sink, pressure };
  };

  beforeAll(async () => {
    proxy = await startFaultProxy(stackEnv().OPENSEARCH_URL);
  });

  afterEach(() => {
    proxy.setMaxBodyBytes(undefined);
    proxy.clearFaults();
    proxy.requests.length = 0;
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await proxy.close();
  });

  it('splits batches at the byte limit', async () => {
    const { prefix, sink } = sinkThroughProxy('bytes', { BULK_MAX_BYTES: '16384' });
    const documents = await derivedDocuments(prefix, 300);
    const total = documents.reduce((sum, document) => sum + document.body.length, 0);
    const result = await sink.writeFile(documents, { file: 'bytes' });
    expect(result).toMatchObject({ ok: true, accepted: 300 });
    const bulks = bulkRequests(proxy);
    expect(bulks.length).toBeGreaterThanOrEqual(Math.ceil(total / 16384));
    expect(Math.max(...bulks.map((request) => request.bytes))).toBeLessThanOrEqual(16384);
    expect(await countDocuments(sink.client, `${prefix}-*`)).toBe(300);
  });

  it('splits a batch the cluster refuses with 413 until every document is in', async () => {
    const { prefix, sink } = sinkThroughProxy('split');
    await sink.prepare();
    proxy.setMaxBodyBytes(20_000);
    const documents = await derivedDocuments(prefix, 200);
    const result = await sink.writeFile(documents, { file: 'split' });
    expect(result).toMatchObject({ ok: true, accepted: 200 });
    expect(sink.counters.bulkSplits).toBeGreaterThan(0);
    const bulks = bulkRequests(proxy);
    expect(bulks.some((request) => request.status === 413)).toBe(true);
    expect(
      bulks.filter((request) => request.status === 200).every((request) => request.bytes <= 20_000),
    ).toBe(true);
    expect(await countDocuments(sink.client, `${prefix}-*`)).toBe(200);
  });

  it('indexes every document exactly once through 429s, 503s and rejected items, and again on a re-send', async () => {
    const { prefix, sink, pressure } = sinkThroughProxy('faults', { BULK_MAX_DOCUMENTS: '100' });
    await sink.prepare();
    const documents = await derivedDocuments(prefix, 500, ['2022-01', '2022-02']);
    proxy.inject({ path: /\/_bulk$/, status: 429, times: 3 });
    proxy.inject({ path: /\/_bulk$/, status: 503, times: 3 });
    proxy.inject({ path: /\/_bulk$/, kind: 'reject-items', status: 429, every: 3, times: 2 });
    proxy.inject({ path: /\/_bulk$/, kind: 'reject-items', status: 503, every: 5, times: 2 });

    const first = await sink.writeFile(documents, { file: 'faults' });
    expect(first).toMatchObject({ ok: true, accepted: 500, failed: [], blocked: false });
    expect(bulkRequests(proxy).filter((request) => request.injected).length).toBe(10);
    expect(sink.counters.bulkRetries).toBeGreaterThanOrEqual(10);
    expect(new Set(pressure.map((event) => event.kind))).toEqual(new Set(['throttled', 'unavailable']));
    expect(await countDocuments(sink.client, `${prefix}-*`)).toBe(500);

    const again = await sink.writeFile(documents, { file: 'faults' });
    expect(again).toMatchObject({ ok: true, accepted: 500 });
    expect(await countDocuments(sink.client, `${prefix}-*`)).toBe(500);
  });

  it('reports the documents it could not deliver when the cluster stays unavailable', async () => {
    const { prefix, sink } = sinkThroughProxy('down');
    await sink.prepare();
    const documents = await derivedDocuments(prefix, 20);
    await sink.writeFile(documents.slice(0, 1), { file: 'create the index' });
    proxy.inject({ path: /\/_bulk$/, status: 503, times: 1000 });
    const result = await sink.writeFile(documents, { file: 'down' });
    expect(result.ok).toBe(false);
    expect(result.accepted).toBe(0);
    expect(result.failed).toHaveLength(20);
    expect(result.failed[0]).toEqual({
      id: documents[0]?.id,
      index: documents[0]?.index,
      reason: 'HTTP 503: unavailable_shards_exception: injected by the fault proxy',
    });
  });

  it('waits out a write block, reports it, and then delivers everything', async () => {
    const { prefix, sink, pressure } = sinkThroughProxy('block');
    const documents = await derivedDocuments(prefix, 50);
    const index = documents[0]?.index ?? '';
    await sink.writeFile(documents.slice(0, 1), { file: 'create the index' });
    await sink.client.indices.putSettings({ index, body: { 'index.blocks.write': true } });
    const lift = new Promise<void>((resolve) =>
      setTimeout(async () => {
        await sink.client.indices.putSettings({ index, body: { 'index.blocks.write': false } });
        resolve();
      }, 1500),
    );
    const result = await sink.writeFile(documents, { file: 'blocked' });
    await lift;
    expect(result).toMatchObject({ ok: true, accepted: 50, blocked: true });
    expect(pressure.some((event) => event.kind === 'blocked')).toBe(true);
    expect(sink.counters.clusterBlocks).toBeGreaterThan(0);
    expect(await countDocuments(sink.client, index)).toBe(50);
  });
});
