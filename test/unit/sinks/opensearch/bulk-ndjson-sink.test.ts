import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { BulkNdjsonSink, NDJSON_PIECE_CHARS } from '../../../../src/sinks/opensearch/bulk-ndjson-sink.ts';

class Collector extends Writable {
  text = '';
  writes = 0;
  override _write(chunk: Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    this.writes++;
    done();
  }
}

const doc = (id: string, index = 'ct-2024-05'): IndexableDocument =>
  ({ id, index, body: `{"eventID":"${id}"}` }) as IndexableDocument;

describe('BulkNdjsonSink', () => {
  it("writes each document's create action line and document line, and accounts for them", async () => {
    const out = new Collector();
    const sink = new BulkNdjsonSink(out);
    const result = await sink.writeFile([doc('a'), doc('b', 'ct-2024-06')], { file: 'f.json' });
    await sink.end();
    expect(out.text).toBe(
      '{"create":{"_index":"ct-2024-05","_id":"a"}}\n{"eventID":"a"}\n' +
        '{"create":{"_index":"ct-2024-06","_id":"b"}}\n{"eventID":"b"}\n',
    );
    expect(result).toMatchObject({ file: 'f.json', ok: true, accepted: 2, aborted: false, failed: [] });
    expect(result.indexes).toEqual(['ct-2024-05', 'ct-2024-06']);
    expect(sink.documents).toBe(2);
  });

  it('writes the documents before a failure midway, then throws the failure', async () => {
    const out = new Collector();
    const sink = new BulkNdjsonSink(out);
    async function* failing(): AsyncGenerator<IndexableDocument> {
      yield doc('a');
      throw new Error('record 2 is not valid JSON');
    }
    await expect(sink.writeFile(failing(), { file: 'f.json' })).rejects.toThrow('record 2');
    await sink.end();
    expect(out.text).toBe('{"create":{"_index":"ct-2024-05","_id":"a"}}\n{"eventID":"a"}\n');
    expect(sink.documents).toBe(1);
  });

  it('keeps one pipeline to the output over many files (no listeners pile up on it)', async () => {
    const out = new Collector();
    const sink = new BulkNdjsonSink(out);
    const listeners = (): number => out.eventNames().reduce((sum, name) => sum + out.listenerCount(name), 0);
    await sink.writeFile([doc('0')], { file: 'f0.json' });
    const afterOne = listeners();
    for (let i = 1; i < 50; i++) await sink.writeFile([doc(String(i))], { file: `f${i}.json` });
    expect(listeners()).toBe(afterOne);
    await sink.end();
    expect(out.text.split('\n')).toHaveLength(2 * 50 + 1);
  });

  it('hands output on in pieces of about NDJSON_PIECE_CHARS', async () => {
    const out = new Collector();
    const sink = new BulkNdjsonSink(out);
    const documents = Array.from({ length: 5000 }, (_, i) => doc(`event-${i}`));
    await sink.writeFile(documents, { file: 'f.json' });
    await sink.end();
    expect(out.text.length).toBeGreaterThan(4 * NDJSON_PIECE_CHARS);
    expect(out.writes).toBeLessThanOrEqual(Math.ceil(out.text.length / NDJSON_PIECE_CHARS) + 1);
  });

  it('stops, aborted and closed, when the reader goes away', async () => {
    const closing = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = new BulkNdjsonSink(closing);
    const documents = Array.from({ length: 5000 }, (_, i) => doc(`event-${i}`));
    const first = await sink.writeFile(documents, { file: 'f.json' });
    expect(first).toMatchObject({ ok: false, aborted: true });
    expect(first.accepted).toBeLessThan(documents.length);
    expect(sink.closed).toBe(true);
    await expect(sink.end()).resolves.toBeUndefined();
  });
});
