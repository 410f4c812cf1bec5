import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';
import type { IndexableDocument } from '../../../src/core/indexable-document.ts';
import { LogFileError } from '../../../src/core/log-file-error.ts';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import type { DocumentsInHand } from '../../../src/core/sink-port.ts';
import type { TransformOptions } from '../../../src/pipeline/transform-log-file.ts';
import {
  DEFAULT_TRANSFORM_OPTIONS,
  newTransformStats,
  transformLogFile,
} from '../../../src/pipeline/transform-log-file.ts';
import { DEFAULT_FLATTEN_KEYS } from '../../../src/transforms/flatten-fields.ts';
import { corpusDir } from '../../helpers/corpus.ts';
import {
  corpusLogFiles,
  expectedEvents,
  FIXTURES_DIR,
  fileText,
  isCompact,
  logFilesUnder,
} from '../transforms/corpus-files.ts';
import { expectFaithfulDocument } from '../transforms/faithful-document.ts';
import { eventText } from '../transforms/json-text-arbitrary.ts';

async function transformFile(
  path: string,
  options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS,
): Promise<IndexableDocument[]> {
  const documents: IndexableDocument[] = [];
  const source = { name: path, keyInfo: classifyObjectKey(path) };
  for await (const document of transformLogFile(createReadStream(path), source, options))
    documents.push(document);
  return documents;
}

/** Consumes documents as the bulk writer does: each awaited one, then those in hand (takeReady). */
async function drain(
  documents: AsyncIterator<IndexableDocument> & DocumentsInHand,
): Promise<{ ids: string[]; error: unknown }> {
  const ids: string[] = [];
  try {
    for (let next = await documents.next(); next.done !== true; next = await documents.next()) {
      for (
        let document: IndexableDocument | undefined = next.value;
        document;
        document = documents.takeReady()
      )
        ids.push(document.id);
    }
  } catch (error) {
    return { ids, error };
  }
  return { ids, error: undefined };
}

/** The month index an event must land in, computed here from its eventTime text (or the file name). */
function expectedIndex(event: Record<string, unknown>, path: string): string {
  const insight = event.eventType === 'AwsCloudTrailInsight' ? '-insights' : '';
  const time = typeof event.eventTime === 'string' ? event.eventTime : '';
  const fromEvent = /^\d{4}-(0[1-9]|1[0-2])-\d{2}[T ]/.test(time) ? time.slice(0, 7) : undefined;
  const fromName = /_(\d{4})(\d{2})\d{2}T\d{4}Z_/.exec(basename(path));
  const month = fromEvent ?? (fromName ? `${fromName[1]}-${fromName[2]}` : 'undated');
  return `cloudtrail${insight}-${month}`;
}

function describeCorpusChecks(files: string[]): void {
  describe.each(
    files.map((path) => ({ path, name: path.slice(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1) })),
  )('$name', ({ path }) => {
    it('turns every event into exactly one faithful document with the specified index and _id', async () => {
      const events = expectedEvents(path);
      const documents = await transformFile(path);
      expect(documents).toHaveLength(events.length);
      events.forEach((event, i) => {
        const document = documents[i]!;
        expectFaithfulDocument(event, document, DEFAULT_FLATTEN_KEYS);
        expect(document.index).toBe(expectedIndex(event, path));
        if (typeof event.eventID === 'string') expect(document.id).toBe(event.eventID);
        else expect(document.id).toMatch(/^[0-9a-f]{64}$/);
      });
    });
  });
}

describe('transformLogFile over the committed fixtures', () => {
  describeCorpusChecks(logFilesUnder(FIXTURES_DIR));

  it('keeps `_raw` byte-identical to the source when the file is compact', async () => {
    const path = join(
      FIXTURES_DIR,
      'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json',
    );
    expect(isCompact(path)).toBe(true);
    const text = fileText(path);
    const documents = await transformFile(path);
    let checked = 0;
    for (const document of documents) {
      const body = JSON.parse(document.body) as Record<string, unknown>;
      for (const key of DEFAULT_FLATTEN_KEYS) {
        const raw = body[`${key}_raw`];
        if (typeof raw !== 'string') continue;
        expect(text).toContain(`"${key}":${raw}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('keeps numbers JavaScript would rewrite exactly as written, in `_raw`, `_flattened` and the body', async () => {
    const path = join(
      FIXTURES_DIR,
      'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json',
    );
    const documents = await transformFile(path);
    const body = documents.map((document) => document.body).find((text) => text.includes('1.688560107857E9'));
    expect(body).toBeDefined();
    expect(body).toContain('\\"FromTime\\":1.688560107857E9');
    expect(body).toContain('"FromTime":["1.688560107857E9"]');
  });

  it('routes by the date in the file name under file-date routing', async () => {
    const path = join(
      FIXTURES_DIR,
      'flosell_trailscraper/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz',
    );
    const documents = await transformFile(path, { ...DEFAULT_TRANSFORM_OPTIONS, routing: 'file-date' });
    expect(documents.map((document) => document.index)).toEqual(['cloudtrail-2017-12', 'cloudtrail-2017-12']);
  });

  it('counts the records that needed the exact-number parse', async () => {
    const path = join(
      FIXTURES_DIR,
      'otrf_security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.records.json.gz',
    );
    const stats = newTransformStats();
    const source = { name: path, keyInfo: classifyObjectKey(path) };
    for await (const _ of transformLogFile(
      createReadStream(path),
      source,
      DEFAULT_TRANSFORM_OPTIONS,
      stats,
    )) {
      // consume
    }
    expect(stats).toMatchObject({ documents: 103, exactNumberRecords: 9 });
  });

  it('yields every document of every chunk in order, and stops reading the source when the consumer stops', async () => {
    const events = Array.from(
      { length: 6 },
      (_, n) => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`,
    );
    const text = Buffer.from(`{"Records":[${events.join(',')}]}`);
    const source = { name: 'six.json', keyInfo: classifyObjectKey('six.json') };
    let closed = false;
    let chunksRead = 0;
    const chunks = async function* () {
      try {
        for (let at = 0; at < text.length; at += 40) {
          chunksRead++;
          yield text.subarray(at, at + 40);
        }
      } finally {
        closed = true;
      }
    };
    const all: string[] = [];
    for await (const document of transformLogFile(chunks(), source)) all.push(document.id);
    expect(all).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    const allChunks = chunksRead;

    closed = false;
    chunksRead = 0;
    const first: string[] = [];
    for await (const document of transformLogFile(chunks(), source)) {
      first.push(document.id);
      if (first.length === 2) break;
    }
    expect(first).toEqual(['e0', 'e1']);
    expect(closed).toBe(true);
    expect(chunksRead).toBeLessThan(allChunks);
  });

  it('transforms each record only when its document is asked for, and hands out the rest of a chunk without an await', async () => {
    const event = (n: number): string => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`;
    const chunks = [Buffer.from(`{"Records":[${event(0)},${event(1)},`), Buffer.from(`${event(2)}]}`)];
    const source = { name: 'three.json', keyInfo: classifyObjectKey('three.json') };
    const stats = newTransformStats();
    const documents = transformLogFile(chunks, source, DEFAULT_TRANSFORM_OPTIONS, stats);
    // Nothing in hand before the first read.
    expect(documents.takeReady()).toBeUndefined();
    expect((await documents.next()).value?.id).toBe('e0');
    expect(stats.documents).toBe(1);
    expect(documents.takeReady()?.id).toBe('e1');
    expect(stats.documents).toBe(2);
    // The end of the chunk in hand: the next document needs an await.
    expect(documents.takeReady()).toBeUndefined();
    expect((await documents.next()).value?.id).toBe('e2');
    expect(documents.takeReady()).toBeUndefined();
    expect(await documents.next()).toEqual({ done: true, value: undefined });
    expect(stats.documents).toBe(3);
  });

  it.each([
    ['next()', 'next'],
    ['takeReady()', 'takeReady'],
  ] as const)(
    'closes the file on a record that fails, asked for by %s, after the documents before it',
    async (_, how) => {
      const good = (n: number): string => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`;
      const broken = '{"a":"é" "x":1}';
      // By next(): the broken record opens the second chunk; by takeReady(): it follows e1 in the first.
      const texts =
        how === 'next'
          ? [`{"Records":[${good(0)},${good(1)},`, `${broken},${good(2)},`, `${good(3)}]}`]
          : [`{"Records":[${good(0)},${good(1)},${broken},`, `${good(2)},`, `${good(3)}]}`];
      let closed = false;
      let chunksRead = 0;
      const chunks = async function* () {
        try {
          for (const text of texts) {
            chunksRead++;
            yield Buffer.from(text);
          }
        } finally {
          closed = true;
        }
      };
      const source = { name: 'broken.json', keyInfo: classifyObjectKey('broken.json') };
      const { ids, error } = await drain(transformLogFile(chunks(), source));
      expect(error).toBeInstanceOf(LogFileError);
      expect(error).toMatchObject({ file: 'broken.json', reason: 'invalid-json', recordNumber: 3 });
      expect(ids).toEqual(['e0', 'e1']);
      // Closed without a return() from the consumer (a `for await` whose next() rejects calls none).
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(true);
      expect(chunksRead).toBe(how === 'next' ? 2 : 1);
    },
  );

  it('fails a file past maxEvents while its chunks are drained with takeReady, after the chunks before, and closes it', async () => {
    const events = Array.from(
      { length: 6 },
      (_, n) => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`,
    );
    const texts = [`{"Records":[${events.slice(0, 3).join(',')},`, `${events.slice(3).join(',')}]}`];
    let closed = false;
    const chunks = async function* () {
      try {
        for (const text of texts) yield Buffer.from(text);
      } finally {
        closed = true;
      }
    };
    const source = { name: 'many.json', keyInfo: classifyObjectKey('many.json') };
    const options = { ...DEFAULT_TRANSFORM_OPTIONS, maxEvents: 4 };
    const { ids, error } = await drain(transformLogFile(chunks(), source, options));
    expect(error).toMatchObject({ file: 'many.json', reason: 'too-many-events', recordNumber: 5 });
    // The limit is checked a chunk at a time, before any of the chunk's records is transformed.
    expect(ids).toEqual(['e0', 'e1', 'e2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it('fails a file with an invalid record with a LogFileError naming the file, the record and the byte', async () => {
    // Record 2 starts at byte 29; the error is 10 bytes into it ("é" is two bytes, one UTF-16 unit).
    const text = '{"Records":[{"eventID":"a"},\n{"a":"é" "x":1}]}';
    const source = { name: 'broken.json', keyInfo: classifyObjectKey('broken.json') };
    const seen: string[] = [];
    const error = await (async () => {
      for await (const document of transformLogFile([Buffer.from(text)], source)) seen.push(document.id);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LogFileError);
    expect(error).toMatchObject({
      file: 'broken.json',
      reason: 'invalid-json',
      recordNumber: 2,
      byteOffset: 39,
    });
    expect((error as Error).message).toMatch(/^broken\.json: record 2 is not valid JSON/);
    // Records are transformed as their documents are asked for: record 1's comes first, as the
    // contract allows (documents before the failure are valid; the file as a whole has failed).
    expect(seen).toEqual(['a']);
  });

  it.each([
    ['in one chunk', 1],
    ['across chunks', 7],
  ])('fails a file with more events than maxEvents with too-many-events (%s)', async (_, chunkBytes) => {
    const events = Array.from(
      { length: 5 },
      (_, n) => `{"eventID":"e${n}","eventTime":"2024-05-31T00:00:00Z"}`,
    );
    const text = Buffer.from(`{"Records":[${events.join(',')}]}`);
    const chunks =
      chunkBytes === 1
        ? [text]
        : Array.from({ length: Math.ceil(text.length / chunkBytes) }, (_, n) =>
            text.subarray(n * chunkBytes, (n + 1) * chunkBytes),
          );
    const source = { name: 'many.json', keyInfo: classifyObjectKey('many.json') };
    const options = { ...DEFAULT_TRANSFORM_OPTIONS, maxEvents: 3 };
    const error = await (async () => {
      for await (const _document of transformLogFile(chunks, source, options));
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LogFileError);
    expect(error).toMatchObject({ file: 'many.json', reason: 'too-many-events', recordNumber: 4 });
    expect((error as Error).message).toMatch(/more than 3 events \(MAX_EVENTS_PER_FILE\)/);

    const exactly = { ...DEFAULT_TRANSFORM_OPTIONS, maxEvents: 5 };
    let count = 0;
    for await (const _document of transformLogFile(chunks, source, exactly)) count++;
    expect(count).toBe(5);
  });
});

describe('transformLogFile on generated log files', () => {
  it('turns every generated event into one faithful document, whatever the layout, compression and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventText, { maxLength: 5 }),
        fc.constantFrom(undefined, 2),
        fc.boolean(),
        fc.integer({ min: 1, max: 4096 }),
        async (texts, indent, gzip, chunkBytes) => {
          const originals = texts.map((text) => parseLossless(text) as Record<string, unknown>);
          const records = originals.map((event) => JSON.stringify(event, null, indent));
          const plain = Buffer.from(`{"Records":[${records.join(',')}]}`);
          const bytes = gzip ? gzipSync(plain) : plain;
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
          const source = { name: 'generated.json', keyInfo: classifyObjectKey('generated.json') };
          const documents: IndexableDocument[] = [];
          for await (const document of transformLogFile(chunks, source)) documents.push(document);
          expect(documents).toHaveLength(originals.length);
          originals.forEach((event, i) => {
            expectFaithfulDocument(event, documents[i]!, DEFAULT_FLATTEN_KEYS);
            expect(documents[i]!.index).toBe(expectedIndex(event, 'generated.json'));
            if (typeof event.eventID === 'string') expect(documents[i]!.id).toBe(event.eventID);
            else expect(documents[i]!.id).toMatch(/^[0-9a-f]{64}$/);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe(`transformLogFile over the corpus (${corpusDir})`, () => {
  describeCorpusChecks(corpusLogFiles());

  it('reports the invalid AWS docs example as invalid JSON in record 1, at its byte', async () => {
    const path = join(
      corpusDir,
      'aws-docs-examples/awsdocs_cloudtrail-log-file-examples_block7.records.INVALID-JSON.json',
    );
    const error = await transformFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LogFileError);
    expect(error).toMatchObject({ reason: 'invalid-json', recordNumber: 1, byteOffset: 755 });
    expect((error as Error).message).toContain(path);
  });

  it.each(logFilesUnder(join(corpusDir, 'digests')))(
    'recognises the digest %s by its content',
    async (path) => {
      const error = await transformFile(path).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'LogFileError', reason: 'digest-file' });
    },
  );

  it('sends Insights events to the insights index family', async () => {
    const path = join(corpusDir, 'insights/awsdocs_cloudtrail-log-file-examples_insights-records.json');
    const documents = await transformFile(path);
    expect(documents.map((document) => document.index)).toEqual([
      'cloudtrail-insights-2019-11',
      'cloudtrail-insights-2019-11',
    ]);
  });

  it('gives events without an eventID a deterministic content hash as _id', async () => {
    const path = join(
      corpusDir,
      'aws-docs-examples/awsdocs_cloudtrail-log-file-examples_block2.records.json',
    );
    const first = await transformFile(path);
    const second = await transformFile(path);
    expect(first[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(second[0]!.id).toBe(first[0]!.id);
  });
});
