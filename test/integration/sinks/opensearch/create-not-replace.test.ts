import { afterAll, describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { countDocuments, derivedDocuments, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

/** The same event with one field changed, as another file forging it would bring it. */
function forged(document: IndexableDocument): IndexableDocument {
  const body = JSON.parse(document.body) as Record<string, unknown>;
  return {
    ...document,
    body: JSON.stringify({ ...body, userIdentity: { type: 'Root', userName: 'forged' } }),
  };
}

describe('documents are created, never replaced, against real OpenSearch', () => {
  const prefix = uniquePrefix('create');
  const sink = testSink(prefix);

  afterAll(async () => {
    await removePrefix(sink.client, prefix);
    await sink.close();
  });

  it('takes a redelivered file as a no-op, and reports a forged event from another file as a conflict', async () => {
    const documents = await derivedDocuments(prefix, 20);
    const first = await sink.writeFile(documents, { file: 'original' });
    expect(first).toMatchObject({ ok: true, accepted: 20, unchanged: 0, conflicts: [] });

    const again = await sink.writeFile(documents, { file: 'redelivered' });
    expect(again).toMatchObject({ ok: true, accepted: 20, unchanged: 20, conflicts: [] });

    const victim = documents[3] as IndexableDocument;
    const attack = await sink.writeFile([forged(victim), documents[4] as IndexableDocument], {
      file: 'forger',
    });
    expect(attack.ok).toBe(true);
    expect(attack.unchanged).toBe(1);
    expect(attack.conflicts).toEqual([
      {
        id: victim.id,
        index: victim.index,
        reason: `${victim.index} already holds a document with _id ${JSON.stringify(victim.id)} and other content`,
      },
    ]);

    const { body } = await sink.client.get({ index: victim.index, id: victim.id });
    expect(body._version).toBe(1);
    expect(body._source).toEqual(JSON.parse(victim.body));
    expect(await countDocuments(sink.client, victim.index)).toBe(20);
  });

  it('takes a redelivered repaired document as a no-op too', async () => {
    const [document] = await derivedDocuments(prefix, 1, ['2024-07'], 'repaired');
    if (!document) throw new Error('no document');
    const numeric = {
      ...document,
      id: `${document.id}-n`,
      body: `${document.body.slice(0, -1)},"@version":1}`,
    };
    const nested = { ...document, body: `${document.body.slice(0, -1)},"@version":{"major":1}}` };
    expect(await sink.writeFile([numeric, nested], { file: 'first' })).toMatchObject({
      ok: true,
      repaired: 1,
    });
    const again = await sink.writeFile([numeric, nested], { file: 'again' });
    expect(again).toMatchObject({ ok: true, accepted: 2, unchanged: 2, conflicts: [] });
  });
});
