import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogFileError } from '../../../src/core/log-file-error.ts';
import { hasInexactNumber } from '../../../src/core/parse-lossless.ts';
import type { RecordText } from '../../../src/core/record-text.ts';
import type { RecordsSplitterOptions } from '../../../src/sources/records-splitter.ts';
import { RecordsSplitter } from '../../../src/sources/records-splitter.ts';
import { jsonText } from '../transforms/json-text-arbitrary.ts';

/** Runs the splitter over `text` cut at `cuts` (byte positions), returning its records. */
function split(text: string | Buffer, cuts: number[] = [], options?: RecordsSplitterOptions): RecordText[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const splitter = new RecordsSplitter('test.json', options);
  const records: RecordText[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    records.push(...splitter.push(bytes.subarray(start, cut)));
    start = cut;
  }
  records.push(...splitter.push(bytes.subarray(start)));
  splitter.finish();
  return records;
}

function splitError(text: string, options?: RecordsSplitterOptions): LogFileError {
  try {
    split(text, [], options);
  } catch (error) {
    expect(error).toBeInstanceOf(LogFileError);
    return error as LogFileError;
  }
  throw new Error('expected the splitter to fail');
}

describe('RecordsSplitter', () => {
  it('yields each record as its exact source text with its number and byte offset', () => {
    const text = '{"Records":[{"a":1},\n  { "b" : [1, {"c": "é}"}] }]}';
    expect(split(text)).toEqual([
      { text: '{"a":1}', recordNumber: 1, byteOffset: 12, plainNumbers: true },
      { text: '{ "b" : [1, {"c": "é}"}] }', recordNumber: 2, byteOffset: 23, plainNumbers: true },
    ]);
  });

  it('counts offsets in bytes, not characters, after multi-byte text', () => {
    const text = '{"x":"ééé","Records":[{"a":"😀"},{"b":2}]}';
    const [, second] = split(text);
    expect(second!.byteOffset).toBe(Buffer.from(text).indexOf('{"b"'));
  });

  it('gives the same records whatever the chunk boundaries, down to one byte per chunk', () => {
    const text = '{"Records":[{"s":"a\\\\\\"b\\\\","t":"\\u00e9{[","n":[1,2,{"x":null}]},{"k":"é"}]}';
    const whole = split(text);
    const bytes = Buffer.from(text);
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    expect(split(text, everyByte)).toEqual(whole);
    for (let cut = 0; cut <= bytes.length; cut++) expect(split(text, [cut])).toEqual(whole);
  });

  it.each([
    ['{"a":1.0}', false],
    ['{"a":[0.5]}', false],
    ['{"a":1e5}', false],
    ['{"a":2E-3}', false],
    ['{"a":-0}', false],
    ['{"a":1234567890123456}', false],
    ['{"a":123456789012345,"b":-12,"c":0,"d":[true,false,null],"e":"1.5e9 -0 12345678901234567"}', true],
    ['{"n":-1,"t":true,"f":false}', true],
  ])(
    'tells whether every number of a record is a plain integer JSON.parse keeps exactly: %s',
    (record, plain) => {
      const text = `{"Records":[${record}]}`;
      const bytes = Buffer.from(text);
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(split(text, [cut]).map((r) => r.plainNumbers)).toEqual([plain]);
      }
      expect(
        split(
          text,
          Array.from({ length: bytes.length }, (_, i) => i),
        )[0]!.plainNumbers,
      ).toBe(plain);
      // Conservative: a flagged record may still parse exactly (0.5 does); an unflagged one always does.
      if (plain) expect(hasInexactNumber(record)).toBe(false);
    },
  );

  it('flags every record whose numbers JSON.parse might change (never misses one), whatever the chunks', () => {
    fc.assert(
      fc.property(
        fc.array(jsonText, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (values, cuts) => {
          const records = values.map((value) => `{"v":${value}}`);
          const bytes = Buffer.from(`{"Records":[${records.join(',')}]}`);
          const found = split(
            bytes,
            cuts.map((cut) => cut % (bytes.length + 1)),
          );
          expect(found.map((r) => r.text)).toEqual(records);
          for (const r of found) if (hasInexactNumber(r.text)) expect(r.plainNumbers).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips the top-level keys around Records, whatever their values hold', () => {
    const text =
      '{"before":{"Records":[{"no":1}],"s":"]}\\""},"n":-1.5e3,"t":true,"Records":[{"yes":1}],"after":["Records"]}';
    expect(split(text).map((record) => record.text)).toEqual(['{"yes":1}']);
  });

  it('finds Records under an escaped spelling of its key', () => {
    expect(split('{"Rec\\u006frds":[{"a":1}]}').map((record) => record.text)).toEqual(['{"a":1}']);
  });

  it('accepts an empty Records array as a file with no records', () => {
    expect(split('{"Records":[]}')).toEqual([]);
    expect(split(' {\n "Records" : [ ]\n}\n')).toEqual([]);
  });

  it('tolerates a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"Records":[{"a":1}]}')]);
    expect(split(bytes, [1, 2])).toEqual([
      { text: '{"a":1}', recordNumber: 1, byteOffset: 15, plainNumbers: true },
    ]);
  });

  it.each([
    ['one byte of it', [0xef]],
    ['two bytes of it', [0xef, 0xbb]],
  ])('fails a file that starts with %s of a byte order mark', (_, head) => {
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from('{"Records":[{"a":1}]}')]);
    for (const cut of [0, 1, 2]) {
      expect(() => split(bytes, [cut])).toThrow(/starts with an incomplete UTF-8 byte order mark/);
    }
  });

  it('names the trailing comma in Records, not a record that is not there', () => {
    expect(splitError('{"Records":[{"a":1},{"b":2},]}').message).toBe(
      'test.json: a trailing comma after record 2 in "Records" (byte 28)',
    );
  });

  describe.each([
    { case: 'an empty file', text: '', reason: 'empty', offset: undefined, record: undefined },
    { case: 'only whitespace', text: ' \n ', reason: 'empty', offset: undefined, record: undefined },
    { case: 'a JSON array', text: '[{"a":1}]', reason: 'not-cloudtrail', offset: 0, record: undefined },
    { case: 'not JSON at all', text: 'hello', reason: 'invalid-json', offset: 0, record: undefined },
    {
      case: 'an object without Records',
      text: '{"a":1}',
      reason: 'not-cloudtrail',
      offset: 6,
      record: undefined,
    },
    {
      case: 'Records that is null',
      text: '{"Records":null}',
      reason: 'not-cloudtrail',
      offset: 11,
      record: undefined,
    },
    {
      case: 'Records that is an object',
      text: '{"Records":{}}',
      reason: 'not-cloudtrail',
      offset: 11,
      record: undefined,
    },
    {
      case: 'a record that is not an object',
      text: '{"Records":[1]}',
      reason: 'not-cloudtrail',
      offset: 12,
      record: undefined,
    },
    {
      case: 'a trailing comma in Records',
      text: '{"Records":[{},]}',
      reason: 'invalid-json',
      offset: 15,
      record: undefined,
    },
    {
      case: 'Records twice',
      text: '{"Records":[],"Records":[]}',
      reason: 'not-cloudtrail',
      offset: 24,
      record: undefined,
    },
    { case: 'a truncated record', text: '{"Records":[{"a":"b', reason: 'truncated', offset: 19, record: 1 },
    {
      case: 'a truncated array',
      text: '{"Records":[{"a":1}',
      reason: 'truncated',
      offset: 19,
      record: undefined,
    },
    {
      case: 'a missing closing brace',
      text: '{"Records":[{"a":1}]',
      reason: 'truncated',
      offset: 20,
      record: undefined,
    },
    {
      case: 'mismatched brackets',
      text: '{"Records":[{"a":[1}]}',
      reason: 'invalid-json',
      offset: 19,
      record: 1,
    },
    {
      case: 'data after the object',
      text: '{"Records":[]} {}',
      reason: 'invalid-json',
      offset: 15,
      record: undefined,
    },
    {
      case: 'a key without a colon',
      text: '{"Records" []}',
      reason: 'invalid-json',
      offset: 11,
      record: undefined,
    },
    {
      case: 'a digest file',
      text: '{"digestStartTime":"x","logFiles":[]}',
      reason: 'digest-file',
      offset: 36,
      record: undefined,
    },
  ])('on $case', ({ text, reason, offset, record }) => {
    it(`fails the file as ${reason}, naming the file, the byte offset and the record`, () => {
      const error = splitError(text);
      expect(error).toMatchObject({ file: 'test.json', reason, byteOffset: offset, recordNumber: record });
      expect(error.message).toMatch(/^test\.json: /);
    });
  });

  it('fails a record that is not valid UTF-8 instead of replacing its bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"Records":[{"a":1},{"b":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]}'),
    ]);
    expect(() => split(bytes)).toThrow(LogFileError);
    expect(() => split(bytes, [30])).toThrow(/record 2 is not valid UTF-8 text \(record 2, byte 20\)/);
  });

  it('fails a record larger than the limit instead of holding it', () => {
    const text = `{"Records":[{"a":"${'x'.repeat(100)}"}]}`;
    expect(split(text, [], { maxRecordBytes: 200 })).toHaveLength(1);
    expect(splitError(text, { maxRecordBytes: 50 })).toMatchObject({
      reason: 'record-too-large',
      recordNumber: 1,
    });
    const chunked = (): RecordText[] => split(text, [20, 40, 60], { maxRecordBytes: 50 });
    expect(chunked).toThrow(/record 1 is larger than 50 bytes/);
  });

  it('fails nesting deeper than the limit', () => {
    const text = `{"Records":[${'['.repeat(10)}]}`;
    const deep = `{"Records":[{"a":${'['.repeat(10)}${']'.repeat(10)}}]}`;
    expect(split(deep, [], { maxDepth: 12 })).toHaveLength(1);
    expect(splitError(deep, { maxDepth: 5 })).toMatchObject({ reason: 'invalid-json', recordNumber: 1 });
    expect(splitError(text)).toMatchObject({ reason: 'not-cloudtrail' });
  });

  // 300 generated files, each split at up to 8 cuts: CPU-bound, over 5 s on a loaded machine.
  it('finds every record of any generated log file, cut anywhere', { timeout: 60_000 }, () => {
    const record = fc.dictionary(
      fc.string({ unit: 'binary' }),
      fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }),
      {
        maxKeys: 5,
      },
    );
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 6 }),
        fc.constantFrom(undefined, 1, '\t'),
        fc.jsonValue({ maxDepth: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (records, indent, other, cuts) => {
          const texts = records.map((value) => JSON.stringify(value, null, indent));
          const prefix = `{ "other" : ${JSON.stringify(other)} ,"Records": [ `;
          const text = `${prefix}${texts.join(' ,\n')}] }`;
          const bytes = Buffer.from(text);
          const found = split(
            bytes,
            cuts.map((cut) => cut % (bytes.length + 1)),
          );
          expect(found.map((r) => r.text)).toEqual(texts);
          expect(found.map((r) => r.recordNumber)).toEqual(texts.map((_, i) => i + 1));
          for (const r of found) {
            expect(bytes.subarray(r.byteOffset, r.byteOffset + Buffer.byteLength(r.text)).toString()).toBe(
              r.text,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
