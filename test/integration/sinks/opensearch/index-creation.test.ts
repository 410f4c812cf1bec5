import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { type FaultProxy, startFaultProxy } from '../../../helpers/fault-proxy.ts';
import { stackEnv } from '../../../helpers/stack.ts';
import { countDocuments, derivedDocuments, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

describe('index creation against real OpenSearch', () => {
  const prefix = uniquePrefix('create');
  const months = ['2021-01', '2021-02', '2021-03', '2021-04', '2021-05'];
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy(stackEnv().OPENSEARCH_URL);
  });

  afterAll(async () => {
    const sink = testSink(prefix);
    await removePrefix(sink.client, prefix);
    await sink.close();
    await proxy.close();
  });

  it('creates each of 5 new indexes once for 20 concurrent writers in two processes, without errors', async () => {
    // Two sinks stand for two worker processes: they share nothing but the cluster.
    const sinks = [0, 1].map(() => testSink(prefix, { OPENSEARCH_URL: proxy.url, BULK_CONCURRENCY: '4' }));
    await Promise.all(sinks.map((sink) => sink.prepare()));
    const files: IndexableDocument[][] = await Promise.all(
      Array.from({ length: 20 }, (_, writer) => derivedDocuments(prefix, 50, months, `w${writer}`)),
    );

    const results = await Promise.all(
      files.map((documents, writer) => sinks[writer % 2]?.writeFile(documents, { file: `file-${writer}` })),
    );

    for (const result of results)
      expect(result).toMatchObject({ ok: true, accepted: 50, failed: [], repaired: 0 });
    const creations = proxy.requests.filter(
      (request) => request.method === 'PUT' && new RegExp(`^/${prefix}-\\d{4}-\\d{2}$`).test(request.path),
    );
    // The cluster created each index exactly once; a sink asked at most once per index.
    expect(
      creations
        .filter((request) => request.status === 200)
        .map((request) => request.path)
        .sort(),
    ).toEqual(months.map((month) => `/${prefix}-${month}`));
    expect(creations.length).toBeLessThanOrEqual(10);
    const created = sinks.reduce((sum, sink) => sum + sink.counters.indexesCreated, 0);
    const found = sinks.reduce((sum, sink) => sum + sink.counters.indexesAlreadyExisting, 0);
    expect(created).toBe(5);
    expect(found).toBe(creations.length - 5);
    for (const month of months)
      expect(await countDocuments(sinks[0]!.client, `${prefix}-${month}`)).toBe(200);

    // Steady state: known indexes cost no request. (Writing the same file again is a redelivery: its
    // documents already exist, so the sink also reads them back with _mget to see they are unchanged.)
    const before = proxy.requests.length;
    await sinks[0]?.writeFile(files[0] ?? [], { file: 'again' });
    expect(proxy.requests.slice(before).filter((request) => !/\/_(bulk|mget)$/.test(request.path))).toEqual(
      [],
    );
    await Promise.all(sinks.map((sink) => sink.close()));
  });

  it('created the indexes with the template settings and mappings', async () => {
    const sink = testSink(prefix);
    const index = `${prefix}-2021-01`;
    const { body: settings } = await sink.client.indices.getSettings({ index });
    expect(settings[index]?.settings?.index).toMatchObject({
      number_of_shards: '1',
      number_of_replicas: '0',
      mapping: { total_fields: { limit: '8192' } },
    });
    const { body: mapping } = await sink.client.indices.getMapping({ index });
    const mappings = mapping[index]?.mappings as
      | { properties?: Record<string, { type?: string }> }
      | undefined;
    const properties = mappings?.properties ?? {};
    expect(properties.eventTime?.type).toBe('date');
    expect(properties.eventName?.type).toBe('keyword');
    expect(properties.requestParameters_flattened?.type).toBe('flat_object');
    await sink.close();
  });
});
