import { describe, expect, it } from 'vitest';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import { documentIdFor } from '../../../src/transforms/document-id.ts';

describe('documentIdFor', () => {
  it('uses the eventID, so a redelivered event overwrites its document', () => {
    expect(documentIdFor({ eventID: '3038ebd2-c98a-4c65-9b6e-e22506292313', eventName: 'x' })).toBe(
      '3038ebd2-c98a-4c65-9b6e-e22506292313',
    );
  });

  describe.each([
    { case: 'no eventID', event: { eventName: 'GetObject' } },
    { case: 'an empty eventID', event: { eventID: '', eventName: 'GetObject' } },
    { case: 'a numeric eventID', event: { eventID: 42, eventName: 'GetObject' } },
    { case: 'an eventID too long for OpenSearch', event: { eventID: 'x'.repeat(513) } },
    { case: 'a lone surrogate in the eventID', event: { eventID: 'e-\ud800' } },
    { case: 'a control character in the eventID', event: { eventID: 'e-\u0000' } },
    { case: 'an eventID shaped like a content hash', event: { eventID: 'a'.repeat(64) } },
  ])('for an event with $case', ({ event }) => {
    it('derives a SHA-256 content hash', () => {
      expect(documentIdFor(event)).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('derives the same id from the same content, however the file was formatted', () => {
    const compact = parseLossless('{"eventName":"A","n":1.0,"r":{"k":"v"}}') as Record<string, unknown>;
    const pretty = parseLossless('{\n  "eventName" : "A",\n  "n" : 1.0,\n  "r" : { "k" : "v" }\n}') as Record<
      string,
      unknown
    >;
    expect(documentIdFor(pretty)).toBe(documentIdFor(compact));
  });

  it('derives different ids from different content, down to the number text', () => {
    const one = parseLossless('{"eventName":"A","n":1.0}') as Record<string, unknown>;
    const other = parseLossless('{"eventName":"A","n":1}') as Record<string, unknown>;
    expect(documentIdFor(one)).not.toBe(documentIdFor(other));
  });

  it('gives distinct ids to eventIDs that differ only in a lone surrogate (OpenSearch would merge them)', () => {
    const ids = ['\ud800', '\ud801', '\udfff'].map((surrogate) =>
      documentIdFor(parseLossless(`{"eventID":"e-${surrogate}","n":1}`) as Record<string, unknown>),
    );
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id.isWellFormed()).toBe(true);
  });

  it("never gives an eventID the id of another event's content hash", () => {
    const hashed = { eventName: 'no id' };
    const hash = documentIdFor(hashed);
    expect(documentIdFor({ eventID: hash })).not.toBe(hash);
  });
});
