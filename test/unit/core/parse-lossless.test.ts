import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasInexactNumber, isRawJson, parseLossless } from '../../../src/core/parse-lossless.ts';

describe('parseLossless', () => {
  describe.each([
    { number: '12345678901234567890', why: 'an integer beyond 2^53' },
    { number: '9007199254740993', why: '2^53 + 1' },
    { number: '1.0', why: 'a trailing fraction zero' },
    { number: '500.00', why: 'several trailing zeros' },
    { number: '1e5', why: 'an exponent' },
    { number: '1.688560107857E9', why: 'an upper-case exponent' },
    { number: '-0', why: 'negative zero' },
    { number: '0.10000000000000000555', why: 'more digits than a double holds' },
    { number: '1e400', why: 'beyond the double range' },
    { number: '123e-2', why: 'a negative exponent' },
  ])('given $why ($number)', ({ number }) => {
    it('keeps the number exactly as written, wherever it is', () => {
      const text = `{"a":${number},"b":[${number},{"c":${number}}],"d":"${number}"}`;
      expect(hasInexactNumber(text)).toBe(true);
      const value = parseLossless(text) as { a: unknown };
      expect(isRawJson(value.a)).toBe(true);
      expect(JSON.stringify(value)).toBe(text);
    });
  });

  it.each(['0', '-1', '42', '0.5', '-12.25', '123456789012345', '1e+21'])(
    'parses the round-tripping number %s as a plain number (fast path)',
    (number) => {
      const text = `{"a":${number},"b":[${number}]}`;
      expect(hasInexactNumber(text)).toBe(false);
      expect(parseLossless(text)).toEqual({ a: Number(number), b: [Number(number)] });
    },
  );

  it('keeps strings, unicode and odd keys, with __proto__ as an ordinary own key', () => {
    const text =
      '{"__proto__":{"x":1},"constructor":"c","":"empty","a.b":"\\u00e9\\ud83d\\ude00\\u0000","\\ud800":"lone"}';
    const value = parseLossless(text) as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(text));
    expect(value['a.b']).toBe('é😀\u0000');
  });

  it('only slows down, never changes, when a string looks like a number', () => {
    const text = '{"arn":"x:1.0,","list":["a",":1e5]"]}';
    expect(JSON.stringify(parseLossless(text))).toBe(text);
  });

  it('throws SyntaxError on invalid JSON', () => {
    expect(() => parseLossless('{"a":1.0,}')).toThrow(SyntaxError);
    expect(() => parseLossless('{"a":}')).toThrow(SyntaxError);
  });

  const numberText = fc.oneof(
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    fc
      .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.stringMatching(/^[0-9]{1,20}$/))
      .map(([whole, fraction]) => `${whole}.${fraction}`),
    fc
      .tuple(
        fc.integer({ min: -999, max: 999 }),
        fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'),
        fc.nat({ max: 400 }),
      )
      .map(([mantissa, e, exponent]) => `${mantissa}${e}${exponent}`),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map(String)
      .filter((text) => !text.includes('Infinity')),
  );

  it('gives back any compact JSON text exactly, whatever its numbers', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        numberText.map((text) => ({ text })),
        fc.string().map((text) => ({ text: JSON.stringify(text) })),
        fc
          .array(tie('node'), { maxLength: 4 })
          .map((items) => ({ text: `[${items.map((i) => (i as { text: string }).text).join(',')}]` })),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }).map((entries) => ({
          text: `{${Object.entries(entries)
            .map(([k, v]) => `${JSON.stringify(k)}:${(v as { text: string }).text}`)
            .join(',')}}`,
        })),
      ),
    })).node;
    fc.assert(
      fc.property(value, ({ text }) => {
        // JSON object key order is not data; compare against JSON.parse's own ordering of keys.
        const reordered = JSON.stringify(parseLossless(text));
        expect(JSON.stringify(parseLossless(reordered))).toBe(reordered);
        if (!/"\d+":/.test(text)) expect(reordered).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
