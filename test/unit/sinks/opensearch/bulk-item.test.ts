import { describe, expect, it } from 'vitest';
import {
  bulkBodyOf,
  bulkItemBytes,
  bulkItemOf,
  documentText,
  replaceDocument,
} from '../../../../src/sinks/opensearch/bulk-item.ts';
import { BulkLines } from '../../../../src/sinks/opensearch/bulk-lines.ts';

const document = (id: string, body: string) => ({ index: 'cloudtrail-2024-05', id, body });

describe('bulk items', () => {
  it('hold the action and document lines as UTF-8 bytes, counted in bytes, not characters', () => {
    const body = '{"eventName":"PutObject","key":"été/日本/🚀"}';
    const item = bulkItemOf(document('a', body));
    const expected = `{"create":{"_index":"cloudtrail-2024-05","_id":"a"}}\n${body}\n`;
    expect(item.lines.toString('utf8')).toBe(expected);
    expect(bulkItemBytes(item)).toBe(Buffer.byteLength(expected));
    expect(documentText(item)).toBe(body);
  });

  it('replace the document line and keep the action line', () => {
    const item = bulkItemOf(document('b', '{"x":{"y":1}}'));
    replaceDocument(item, '{"x":"{\\"y\\":1}","indexerRepair":{"fields":["x"]}}');
    expect(item.lines.toString('utf8')).toBe(
      '{"create":{"_index":"cloudtrail-2024-05","_id":"b"}}\n{"x":"{\\"y\\":1}","indexerRepair":{"fields":["x"]}}\n',
    );
    expect(documentText(item)).toBe('{"x":"{\\"y\\":1}","indexerRepair":{"fields":["x"]}}');
  });

  it('concatenate into one NDJSON body, in order', () => {
    const items = [bulkItemOf(document('1', '{"n":1}')), bulkItemOf(document('2', '{"n":"ü"}'))];
    const body = bulkBodyOf(items);
    expect(body.length).toBe(bulkItemBytes(items[0]!) + bulkItemBytes(items[1]!));
    expect(body.toString('utf8').split('\n')).toEqual([
      '{"create":{"_index":"cloudtrail-2024-05","_id":"1"}}',
      '{"n":1}',
      '{"create":{"_index":"cloudtrail-2024-05","_id":"2"}}',
      '{"n":"ü"}',
      '',
    ]);
  });

  it("of one batch lie back to back in one buffer, and the batch's body is a view of it", () => {
    const lines = new BulkLines(Buffer.alloc(1024));
    const items = [lines.append(document('1', '{"n":1}'))!, lines.append(document('2', '{"n":"ü"}'))!];
    expect(items.map(documentText)).toEqual(['{"n":1}', '{"n":"ü"}']);
    const body = bulkBodyOf(items);
    expect(body.buffer).toBe(items[0]!.lines.buffer);
    expect(body.toString('utf8')).toBe(
      '{"create":{"_index":"cloudtrail-2024-05","_id":"1"}}\n{"n":1}\n{"create":{"_index":"cloudtrail-2024-05","_id":"2"}}\n{"n":"ü"}\n',
    );
    // Some of them (a retry), or a repaired one among them: copied together, in order.
    expect(bulkBodyOf([items[1]!]).toString('utf8')).toBe(items[1]!.lines.toString('utf8'));
    replaceDocument(items[0]!, '{"n":"1"}');
    expect(bulkBodyOf(items).toString('utf8').split('\n')[1]).toBe('{"n":"1"}');
  });

  it('take a document only while its lines fit whole, a character cut at the end included', () => {
    const action = `{"create":{"_index":"cloudtrail-2024-05","_id":"a"}}\n`;
    for (const tail of ['x', 'é', '日', '🚀']) {
      const body = `{"k":"${'v'.repeat(20)}${tail}"}`;
      const exact = Buffer.byteLength(`${action}${body}\n`);
      const fits = new BulkLines(Buffer.alloc(exact));
      expect(fits.append(document('a', body))?.lines.toString('utf8')).toBe(`${action}${body}\n`);
      for (let short = 1; short <= 5; short++) {
        const lines = new BulkLines(Buffer.alloc(exact - short));
        expect(lines.append(document('a', body))).toBeUndefined();
        // What was cut short is taken back: the lines are as before.
        expect(lines.append(document('b', '{}'))?.lines.toString('utf8')).toBe(
          `{"create":{"_index":"cloudtrail-2024-05","_id":"b"}}\n{}\n`,
        );
      }
    }
  });
});
