import { afterAll, describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { countDocuments, derivedDocuments, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

/** A derived real event with one field replaced, as the transform would have serialized it. */
function withField(document: IndexableDocument, field: string, valueJson: string): IndexableDocument {
  const body = `${document.body.slice(0, -1)},${JSON.stringify(field)}:${valueJson}}`;
  return { ...document, body };
}

describe('mapping repair against real OpenSearch', () => {
  const prefixes: string[] = [];
  const sinks: Array<ReturnType<typeof testSink>> = [];
  const newSink = (name: string, env: Record<string, string> = {}) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    const sink = testSink(prefix, env);
    sinks.push(sink);
    return { prefix, sink };
  };

  afterAll(async () => {
    for (const [n, sink] of sinks.entries()) {
      await removePrefix(sink.client, prefixes[n] ?? '');
      await sink.close();
    }
  });

  it.each([
    ['in one bulk request', 1],
    ['in two files', 2],
  ])(
    'keeps both documents searchable when a field is a number in one and an object in the other (%s)',
    async (_, files) => {
      const { prefix, sink } = newSink('conflict');
      const [first, second] = await derivedDocuments(prefix, 2);
      if (!first || !second) throw new Error('no documents');
      // `@version` as Logstash-exported CloudTrail carries it: a number here, an object there.
      const numeric = withField(first, '@version', '1');
      const nested = withField(
        second,
        '@version',
        '{"major":1,"note":"nested value","big":12345678901234567890}',
      );
      const results =
        files === 1
          ? [await sink.writeFile([numeric, nested], { file: 'both' })]
          : [
              await sink.writeFile([numeric], { file: 'first' }),
              await sink.writeFile([nested], { file: 'second' }),
            ];

      expect(results.every((result) => result.ok)).toBe(true);
      expect(results.reduce((sum, result) => sum + result.repaired, 0)).toBe(1);
      const index = numeric.index;
      expect(await countDocuments(sink.client, index)).toBe(2);
      for (const id of [numeric.id, nested.id]) {
        expect(await countDocuments(sink.client, index, { term: { eventID: id } })).toBe(1);
      }
      const { body } = await sink.client.get({ index, id: nested.id });
      expect(body._source).toMatchObject({
        eventID: nested.id,
        indexerRepair: {
          fields: ['@version'],
          reasons: [expect.stringMatching(/failed to parse field \[@version\] of type \[long\]/)],
          values: '{"@version":{"major":1,"note":"nested value","big":12345678901234567890}}',
        },
      });
      expect(body._source).not.toHaveProperty(['@version']);
      expect(await countDocuments(sink.client, index, { term: { 'indexerRepair.fields': '@version' } })).toBe(
        1,
      );
      expect(await countDocuments(sink.client, index, { match: { 'indexerRepair.values': 'nested' } })).toBe(
        1,
      );
    },
  );

  it('sheds the flattened maps of a document that would exceed the field limit, and indexes it', async () => {
    const { prefix, sink } = newSink('limit', { MAPPING_MODE: 'dynamic', INDEX_TOTAL_FIELDS_LIMIT: '100' });
    const [document] = await derivedDocuments(prefix, 1);
    if (!document) throw new Error('no document');
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, n) => [`key${n}`, [`value${n}`]]));
    const body = JSON.parse(document.body) as Record<string, unknown>;
    const exploding = {
      ...document,
      body: JSON.stringify({
        ...body,
        requestParameters_flattened: wide,
        requestParameters_raw: JSON.stringify(wide),
      }),
    };
    const result = await sink.writeFile([exploding], { file: 'wide' });
    expect(result).toMatchObject({ ok: true, accepted: 1, repaired: 1 });
    const { body: stored } = await sink.client.get({ index: document.index, id: document.id });
    expect(stored._source).toMatchObject({
      requestParameters_raw: expect.stringContaining('value149'),
      indexerRepair: { fields: expect.arrayContaining(['requestParameters_flattened']) },
    });
    expect(
      await countDocuments(sink.client, document.index, { match: { requestParameters_raw: 'value149' } }),
    ).toBe(1);
  });

  it('drops only the values too long to index from a flat_object map', async () => {
    const { prefix, sink } = newSink('immense', { MAPPING_MODE: 'flat-object' });
    const [document] = await derivedDocuments(prefix, 1);
    if (!document) throw new Error('no document');
    const body = JSON.parse(document.body) as Record<string, Record<string, string[]>>;
    const flattened = { ...body.requestParameters_flattened, policyDocument: ['x'.repeat(40_000)] };
    const result = await sink.writeFile(
      [{ ...document, body: JSON.stringify({ ...body, requestParameters_flattened: flattened }) }],
      { file: 'immense' },
    );
    expect(result).toMatchObject({ ok: true, repaired: 1 });
    const { body: stored } = await sink.client.get({ index: document.index, id: document.id });
    const source = stored._source as Record<string, Record<string, unknown>>;
    expect(source.requestParameters_flattened).toHaveProperty('roleArn');
    expect(source.requestParameters_flattened).not.toHaveProperty('policyDocument');
    expect(source.indexerRepair?.fields).toEqual(['requestParameters_flattened.policyDocument']);
  });
});
