import { describe, expect, it } from 'vitest';
import { isSameSavedObject } from '../../../src/setup/compare-saved-object.ts';
import type { SavedObject } from '../../../src/setup/saved-objects.ts';

const shipped: SavedObject = {
  id: 'cloudtrail-top-event-names',
  type: 'visualization',
  attributes: {
    title: 'CloudTrail: top eventNames',
    visState: JSON.stringify({ title: 'CloudTrail: top eventNames', type: 'horizontal_bar', aggs: [] }),
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'lucene' } }) },
  },
  references: [
    { name: 'a', type: 'index-pattern', id: 'x' },
    { name: 'b', type: 'index-pattern', id: 'y' },
  ],
};

describe('isSameSavedObject', () => {
  it('holds when Dashboards stored the same attributes, re-serialized, with attributes of its own added and references reordered', () => {
    const stored: SavedObject = {
      ...shipped,
      attributes: {
        ...shipped.attributes,
        visState: JSON.stringify(JSON.parse(shipped.attributes.visState as string), null, 2),
        fields: '[{"name":"eventName"}]',
        kibanaSavedObjectMeta: {
          searchSourceJSON: JSON.stringify({ query: { language: 'lucene', query: '' } }),
        },
      },
      references: [...shipped.references].reverse(),
    };
    expect(isSameSavedObject(shipped, stored)).toBe(true);
  });

  it.each([
    ['a changed title', { attributes: { ...shipped.attributes, title: 'Renamed by hand' } }],
    ['a changed visualization', { attributes: { ...shipped.attributes, visState: '{"type":"pie"}' } }],
    ['a missing attribute', { attributes: { title: shipped.attributes.title } }],
    ['another reference', { references: [{ name: 'a', type: 'index-pattern', id: 'z' }] }],
  ])('fails for %s', (_, change) => {
    expect(isSameSavedObject(shipped, { ...shipped, ...change } as SavedObject)).toBe(false);
  });
});
