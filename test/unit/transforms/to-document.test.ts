import { describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import { DEFAULT_FLATTEN_KEYS } from '../../../src/transforms/flatten-fields.ts';
import { toDocument } from '../../../src/transforms/to-document.ts';

const FILE = classifyObjectKey('123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz');
const OPTIONS = {
  routing: 'event-time',
  indexPrefix: 'cloudtrail',
  flattenKeys: DEFAULT_FLATTEN_KEYS,
} as const;

describe('toDocument', () => {
  it('routes, identifies, flattens and serializes an event once, numbers exact', () => {
    const event = parseLossless(
      '{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","requestParameters":{"maxResults":1000.0},"responseElements":null,"bytes":12345678901234567890}',
    ) as Record<string, unknown>;
    expect(toDocument(event, FILE, OPTIONS)).toEqual({
      index: 'cloudtrail-2024-05',
      id: 'e-1',
      body: '{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","bytes":12345678901234567890,"requestParameters_flattened":{"maxResults":["1000.0"]},"requestParameters_raw":"{\\"maxResults\\":1000.0}"}',
    });
  });

  it('hashes the event as written, before flattening, when it has no eventID', () => {
    const text = '{"eventTime":"2024-05-31T23:59:59Z","requestParameters":{"a":1}}';
    const withDefaults = toDocument(parseLossless(text) as Record<string, unknown>, FILE, OPTIONS);
    const withoutFlattening = toDocument(parseLossless(text) as Record<string, unknown>, FILE, {
      ...OPTIONS,
      flattenKeys: [],
    });
    expect(withDefaults.id).toMatch(/^[0-9a-f]{64}$/);
    expect(withoutFlattening.id).toBe(withDefaults.id);
  });

  it('names the kind of event, its eventName, when it is a string', () => {
    const of = (text: string) =>
      toDocument(parseLossless(text) as Record<string, unknown>, FILE, OPTIONS).kind;
    expect(of('{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","eventName":"GetObject"}')).toBe(
      'GetObject',
    );
    expect(of('{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1","eventName":7}')).toBeUndefined();
    expect(of('{"eventTime":"2024-05-31T23:59:59Z","eventID":"e-1"}')).toBeUndefined();
  });
});
