import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import {
  DEFAULT_FLATTEN_KEYS,
  flattenFields,
  flattenLeaves,
} from '../../../src/transforms/flatten-fields.ts';
import { expectedFlattened, expectFaithfulDocument } from './faithful-document.ts';
import { jsonText, numberText } from './json-text-arbitrary.ts';

/** Flattens the keys of the event written as `text` and returns the resulting document, parsed. */
function flattened(text: string, keys: readonly string[] = DEFAULT_FLATTEN_KEYS): Record<string, unknown> {
  const event = parseLossless(text) as Record<string, unknown>;
  flattenFields(event, keys);
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}

describe('flattenFields', () => {
  it("flattens the issue's example so instance fields are found without the API's hierarchy", () => {
    const document = flattened(
      '{"eventName":"RunInstances","responseElements":{"instancesSet":{"items":[{"instanceId":"i-1","placement":{"availabilityZone":"us-west-2a"}},{"instanceId":"i-2","placement":{"availabilityZone":"us-west-2a"}}]}}}',
    );
    expect(document).toEqual({
      eventName: 'RunInstances',
      responseElements_flattened: { instanceId: ['i-1', 'i-2'], availabilityZone: ['us-west-2a'] },
      responseElements_raw:
        '{"instancesSet":{"items":[{"instanceId":"i-1","placement":{"availabilityZone":"us-west-2a"}},{"instanceId":"i-2","placement":{"availabilityZone":"us-west-2a"}}]}}',
    });
  });

  describe.each([
    { case: 'null', value: 'null', expected: {} },
    { case: 'an empty object', value: '{}', expected: {} },
    { case: 'an empty array', value: '[]', expected: {} },
    { case: 'a string', value: '"text"', expected: { requestParameters: 'text' } },
    { case: 'a number', value: '1.0', expected: { requestParameters: 1 } },
    { case: 'a boolean', value: 'false', expected: { requestParameters: false } },
  ])('when the value is $case', ({ value, expected }) => {
    it('removes an empty value or keeps a scalar, without _raw or _flattened', () => {
      expect(flattened(`{"requestParameters":${value}}`)).toEqual(expected);
    });
  });

  describe.each<{ case: string; value: string; leaves: Record<string, string[]> }>([
    {
      case: 'array items',
      value: '{"ids":["a","b","a"],"nested":[[1,2],[2,3]]}',
      leaves: { ids: ['a', 'b'], nested: ['1', '2', '3'] },
    },
    { case: 'a top-level array of scalars', value: '["x","y"]', leaves: { resources: ['x', 'y'] } },
    {
      case: 'a top-level array of objects',
      value: '[{"ARN":"arn:1","type":"T"},{"ARN":"arn:2","type":"T"}]',
      leaves: { ARN: ['arn:1', 'arn:2'], type: ['T'] },
    },
    {
      case: 'dotted names',
      value: '{"resource.resourceType":"bucket","a":{"b.c.d":1}}',
      leaves: { resource_resourceType: ['bucket'], b_c_d: ['1'] },
    },
    { case: 'empty names', value: '{"":"dropped","x":{"":"also"},"y":1}', leaves: { y: ['1'] } },
    { case: 'null leaves', value: '{"a":null,"b":[null,"v"]}', leaves: { b: ['v'] } },
    { case: 'booleans', value: '{"on":true,"off":false}', leaves: { on: ['true'], off: ['false'] } },
    {
      case: 'numbers JavaScript would rewrite',
      value: '{"big":12345678901234567890,"one":1.0,"exp":1.688560107857E9,"plain":42}',
      leaves: { big: ['12345678901234567890'], one: ['1.0'], exp: ['1.688560107857E9'], plain: ['42'] },
    },
    {
      case: 'a string and a number with the same text',
      value: '{"port":"22","p":{"port":22}}',
      leaves: { port: ['22'] },
    },
    {
      case: 'odd key names',
      value: '{"__proto__":"p","constructor":"c","toString":{"valueOf":1}}',
      leaves: { ['__proto__']: ['p'], constructor: ['c'], valueOf: ['1'] },
    },
  ])('with $case', ({ value, leaves }) => {
    it('lists every non-null leaf under its leaf name, distinct, in first-seen order, and keeps the exact _raw', () => {
      const key = value.startsWith('[') ? 'resources' : 'requestParameters';
      const document = flattened(`{"${key}":${value}}`);
      expect(Object.keys(document).sort()).toEqual([`${key}_flattened`, `${key}_raw`]);
      const actual = document[`${key}_flattened`] as Record<string, string[]>;
      expect(Object.entries(actual)).toEqual(Object.entries(leaves));
      expect(document[`${key}_raw`]).toBe(value);
    });
  });

  it('serializes the leaves as a null-prototype object would: integer-like names first, `__proto__` as data', () => {
    const leaves = flattenLeaves(JSON.parse('{"b":1,"10":2,"__proto__":3,"2":4,"a":5}'), 'x');
    expect(Object.getPrototypeOf(leaves)).toBe(Object.prototype);
    expect(Object.hasOwn(leaves, '__proto__')).toBe(true);
    expect(JSON.stringify(leaves)).toBe('{"2":["4"],"10":["2"],"b":["1"],"__proto__":["3"],"a":["5"]}');
  });

  it('keeps every distinct value of a name with many values, once each', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `i-${i % 400}`);
    const leaves = flattenLeaves({ items: ids.map((instanceId) => ({ instanceId })) }, 'x');
    expect(leaves.instanceId).toEqual(Array.from({ length: 400 }, (_, i) => `i-${i}`));
  });

  it('leaves a key untouched rather than overwrite an existing <key>_raw or <key>_flattened field', () => {
    const document = flattened(
      '{"requestParameters":{"a":1},"requestParameters_raw":"mine","tlsDetails":{"v":"1.2"}}',
    );
    expect(document).toEqual({
      requestParameters: { a: 1 },
      requestParameters_raw: 'mine',
      tlsDetails_flattened: { v: ['1.2'] },
      tlsDetails_raw: '{"v":"1.2"}',
    });
  });

  it('flattens only the configured keys', () => {
    expect(flattened('{"requestParameters":{"a":1},"custom":{"b":2}}', ['custom'])).toEqual({
      requestParameters: { a: 1 },
      custom_flattened: { b: ['2'] },
      custom_raw: '{"b":2}',
    });
  });

  describe('on generated nested values', () => {
    it('lists exactly the non-null leaves under their names: distinct, first-seen, no empty or dotted names', () => {
      fc.assert(
        fc.property(jsonText, (text) => {
          const value = parseLossless(text);
          const leaves = flattenLeaves(value, 'root');
          expect(leaves).toEqual(expectedFlattened(value, 'root'));
          for (const [name, values] of Object.entries(leaves)) {
            expect(name).not.toBe('');
            expect(name).not.toContain('.');
            expect(new Set(values).size).toBe(values.length);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('produces documents whose _raw gives back each value exactly and whose other fields are unchanged', () => {
      fc.assert(
        fc.property(jsonText, jsonText, numberText, (nested, other, number) => {
          const text = `{"requestParameters":${nested},"resources":${other},"eventID":"e","count":${number},"x":${other}}`;
          const original = parseLossless(text) as Record<string, unknown>;
          const event = parseLossless(text) as Record<string, unknown>;
          flattenFields(event, DEFAULT_FLATTEN_KEYS);
          expectFaithfulDocument(
            original,
            { index: 'i', id: 'e', body: JSON.stringify(event) },
            DEFAULT_FLATTEN_KEYS,
          );
        }),
        { numRuns: 500 },
      );
    });
  });
});
