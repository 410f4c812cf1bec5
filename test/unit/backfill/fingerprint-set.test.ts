import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_BYTES, FingerprintSet } from '../../../src/backfill/fingerprint-set.ts';

const printOf = (name: string): string => hash('sha256', name, 'binary');
const key = (print: string): string => print.slice(0, FINGERPRINT_BYTES);
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('FingerprintSet', () => {
  it('answers as a Set of the same fingerprints would, through many growths', () => {
    const set = new FingerprintSet();
    const reference = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      // The first 5,000 names twice, the second time some while later: the second add finds the first.
      const print = printOf(`s3://trail/file-${i % 15_000}`);
      expect(set.add(print)).toBe(!reference.has(key(print)));
      reference.add(key(print));
    }
    expect(set.size).toBe(15_000);
    for (let i = 0; i < 16_000; i++) expect(set.has(printOf(`s3://trail/file-${i}`))).toBe(i < 15_000);
  });

  it('agrees with a Set on arbitrary fingerprints, alike first words (one probe run) and the all-zero one included', () => {
    const word = fc.constantFrom(0, 1, 0xffffffff, 7);
    const print = fc.oneof(
      fc.uint8Array({ minLength: FINGERPRINT_BYTES, maxLength: 32 }).map(latin1),
      fc.tuple(word, word, word, word).map((words) => latin1(new Uint8Array(new Uint32Array(words).buffer))),
    );
    fc.assert(
      fc.property(fc.array(print, { maxLength: 200 }), fc.array(print, { maxLength: 50 }), (added, asked) => {
        const set = new FingerprintSet();
        const reference = new Set<string>();
        for (const p of added) {
          expect(set.add(p)).toBe(!reference.has(key(p)));
          reference.add(key(p));
        }
        expect(set.size).toBe(reference.size);
        for (const p of [...added, ...asked]) expect(set.has(p)).toBe(reference.has(key(p)));
      }),
    );
  });

  it('reads only the first 16 bytes, and refuses fewer', () => {
    const set = new FingerprintSet();
    const print = printOf('a');
    set.add(print);
    expect(set.has(`${key(print)}${'\xff'.repeat(16)}`)).toBe(true);
    expect(() => set.has(print.slice(0, 15))).toThrow(/at least 16 bytes, not 15/);
  });
});
