import { describe, expect, it } from 'vitest';
import {
  findStringEnd,
  STRING_CONTINUES,
  STRING_CONTINUES_ESCAPED,
} from '../../../src/sources/find-string-end.ts';

describe('findStringEnd', () => {
  describe.each([
    { case: 'a plain string', chunk: 'abc"rest', from: 0, escaped: false, end: 3 },
    { case: 'an escaped quote', chunk: 'a\\"b"', from: 0, escaped: false, end: 4 },
    { case: 'an escaped backslash before the quote', chunk: 'a\\\\"b', from: 0, escaped: false, end: 3 },
    { case: 'three backslashes before a quote', chunk: 'a\\\\\\"b"', from: 0, escaped: false, end: 6 },
    { case: 'a quote escaped by the previous chunk', chunk: '"x"', from: 0, escaped: true, end: 2 },
    { case: 'a backslash escaped by the previous chunk', chunk: '\\"', from: 0, escaped: true, end: 1 },
    { case: 'backslashes before `from` (already resolved)', chunk: '\\\\"', from: 2, escaped: false, end: 2 },
    { case: 'multi-byte text', chunk: 'é😀"', from: 0, escaped: false, end: 6 },
    { case: 'no quote', chunk: 'abc', from: 0, escaped: false, end: STRING_CONTINUES },
    { case: 'a trailing backslash', chunk: 'abc\\', from: 0, escaped: false, end: STRING_CONTINUES_ESCAPED },
    {
      case: 'a trailing escaped backslash',
      chunk: 'abc\\\\',
      from: 0,
      escaped: false,
      end: STRING_CONTINUES,
    },
    {
      case: 'an escape whose byte is in the next chunk',
      chunk: 'ab',
      from: 2,
      escaped: true,
      end: STRING_CONTINUES_ESCAPED,
    },
    { case: 'an empty rest', chunk: 'ab', from: 2, escaped: false, end: STRING_CONTINUES },
  ])('given $case', ({ chunk, from, escaped, end }) => {
    it(`returns ${end}`, () => {
      expect(findStringEnd(Buffer.from(chunk), from, escaped)).toBe(end);
    });
  });
});
