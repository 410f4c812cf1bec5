import { describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import { DEFAULT_FLATTEN_KEYS } from '../../../src/transforms/flatten-fields.ts';
import { DEFAULT_KEY_LIMITS, foldHostileKeys } from '../../../src/transforms/fold-hostile-keys.ts';
import { toDocument } from '../../../src/transforms/to-document.ts';

const FLATTEN = new Set(DEFAULT_FLATTEN_KEYS);
const FILE = classifyObjectKey(
  'AWSLogs/123456789012/CloudTrail/us-east-1/2024/06/01/123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz',
);
const OPTIONS = {
  routing: 'event-time',
  indexPrefix: 'cloudtrail',
  flattenKeys: DEFAULT_FLATTEN_KEYS,
} as const;

const event = (text: string): Record<string, unknown> => parseLossless(text) as Record<string, unknown>;

describe('foldHostileKeys', () => {
  it('keeps every key of a real event, and unknown keys with ordinary names (Logstash @timestamp)', () => {
    const original = event(
      '{"eventTime":"2024-05-31T23:59:59Z","userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"@timestamp":"x","@version":"1","eventID":"e-1"}',
    );
    const before = JSON.stringify(original);
    expect(foldHostileKeys(original, FLATTEN, DEFAULT_KEY_LIMITS)).toEqual([]);
    expect(JSON.stringify(original)).toBe(before);
  });

  it.each([
    ['a 10 MB key name', { ['k'.repeat(10 * 1024 * 1024)]: 1 }],
    ['a name one past the limit', { ['k'.repeat(257)]: 1 }],
    ['a dotted name (an object path in OpenSearch)', { 'a.b': 1 }],
    ['an empty name', { '': 1 }],
    ['a whitespace name', { '  ': 1 }],
    ['a metadata name', { _id: 'forged' }],
    ['one of our own names', { indexerRepair: { fields: ['forged'] } }],
    ['a name that would stop flattening', { requestParameters_raw: 'x' }],
    ['a control character', { 'a\u0000b': 1 }],
    ['a lone surrogate', { 'a\ud800': 1 }],
    ['a userIdentity with a 1 MB nested name', { userIdentity: { ['n'.repeat(1024 * 1024)]: 1 } }],
    [
      'a userIdentity nested 40 levels',
      { userIdentity: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) },
    ],
    [
      'a userIdentity with 5,000 keys',
      { userIdentity: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) },
    ],
  ])('folds %s into indexerFolded, value intact', (_, hostile) => {
    const target = { eventID: 'e-1', ...hostile } as Record<string, unknown>;
    const [key] = Object.keys(hostile);
    expect(foldHostileKeys(target, FLATTEN, DEFAULT_KEY_LIMITS)).toEqual([key]);
    expect(Object.keys(target)).toEqual(['eventID', 'indexerFolded']);
    expect(JSON.parse(target.indexerFolded as string)).toEqual(hostile);
  });

  it('keeps 64 distinct extra names per file, whatever the number of events', () => {
    const kept = new Set<string>();
    const events = Array.from({ length: 20 }, (_, i) => ({
      eventID: `e-${i}`,
      ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`f${i}_${k}`, k])),
      '@version': 1,
    })) as Array<Record<string, unknown>>;
    for (const event of events) foldHostileKeys(event, FLATTEN, DEFAULT_KEY_LIMITS, kept);
    expect(kept.size).toBe(64);
    expect(events.every((event) => '@version' in event)).toBe(true);
    expect(events.at(-1)).toHaveProperty('indexerFolded');
  });

  it('keeps 64 extra top-level keys and folds the rest', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`extra${i}`, i]));
    const target = { eventID: 'e-1', eventName: 'X', ...many } as Record<string, unknown>;
    const folded = foldHostileKeys(target, FLATTEN, DEFAULT_KEY_LIMITS);
    expect(folded).toHaveLength(5000 - 64);
    expect(Object.keys(target)).toHaveLength(2 + 64 + 1);
    expect(Object.keys(JSON.parse(target.indexerFolded as string))).toEqual(folded);
  });

  it('keeps __proto__ as data, never as a prototype', () => {
    const target = event('{"eventID":"e-1","__proto__":{"_id":1},"_x":{"polluted":true}}');
    foldHostileKeys(target, FLATTEN, DEFAULT_KEY_LIMITS);
    expect(Object.keys(JSON.parse(target.indexerFolded as string))).toEqual(['__proto__', '_x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('toDocument on hostile keys', () => {
  it('flags the document, and the flattened keys still flatten', () => {
    const document = toDocument(
      event(
        `{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","${'k'.repeat(300)}":1,"requestParameters_raw":"x","requestParameters":{"a":1}}`,
      ),
      FILE,
      OPTIONS,
    );
    const body = JSON.parse(document.body) as Record<string, unknown>;
    expect(document.flags).toEqual(['folded-keys']);
    expect(body.indexerFlags).toEqual(['folded-keys']);
    expect(body.requestParameters_flattened).toEqual({ a: ['1'] });
    expect(Object.keys(JSON.parse(body.indexerFolded as string))).toEqual([
      'k'.repeat(300),
      'requestParameters_raw',
    ]);
  });

  it('leaves flattened leaf names longer than the limit out of *_flattened, keeping them in *_raw', () => {
    const long = 'n'.repeat(300);
    const document = toDocument(
      event(`{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","requestParameters":{"${long}":1,"b":2}}`),
      FILE,
      OPTIONS,
    );
    const body = JSON.parse(document.body) as Record<string, unknown>;
    expect(body.requestParameters_flattened).toEqual({ b: ['2'] });
    expect(body.requestParameters_raw).toBe(`{"${long}":1,"b":2}`);
    expect(document.flags).toBeUndefined();
  });

  it("reports a recipientAccountId other than the key's account, without changing the document", () => {
    const document = toDocument(
      event('{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","recipientAccountId":"999999999999"}'),
      FILE,
      OPTIONS,
    );
    expect(document.flags).toEqual(['account-mismatch']);
    expect(document.body).toBe(
      '{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","recipientAccountId":"999999999999"}',
    );
  });
});
