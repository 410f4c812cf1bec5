import { describe, expect, it } from 'vitest';
import {
  bulkBodyOf,
  bulkItemBytes,
  bulkItemOf,
  documentText,
  replaceDocument,
} from '../../../../src/sinks/opensearch/bulk-item.ts';

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
});
