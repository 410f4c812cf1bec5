import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { pino } from 'pino';
import { loadConfig } from '../../../../src/config.ts';
import { classifyObjectKey, LogFileKind } from '../../../../src/core/classify-object-key.ts';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { transformLogFile } from '../../../../src/pipeline/transform-log-file.ts';
import {
  createOpenSearchSink,
  type OpenSearchSink,
  type OpenSearchSinkDeps,
} from '../../../../src/sinks/opensearch/opensearch-sink.ts';
import { walkLogFiles } from '../../../../src/sources/local/walk-log-files.ts';
import { DEFAULT_FLATTEN_KEYS } from '../../../../src/transforms/flatten-fields.ts';
import { IndexRouting } from '../../../../src/transforms/route-event.ts';
import { corpusDir } from '../../../helpers/corpus.ts';
import { stackEnv } from '../../../helpers/stack.ts';

export const CORPUS: string = corpusDir;

/** A lowercase prefix no other test or run uses, so indexes and templates never collide. */
export function uniquePrefix(name: string): string {
  return `it-${name}-${randomBytes(3).toString('hex')}`;
}

/** Short waits, so fault tests finish in seconds; the shape of the backoff stays the product's. */
export const FAST_BACKOFF = {
  transient: { maxRetries: 8, baseDelayMs: 20, maxDelayMs: 500 },
  blocked: { maxRetries: 20, baseDelayMs: 200, maxDelayMs: 1000 },
} as const;

export function testSink(
  prefix: string,
  env: Record<string, string> = {},
  deps: Partial<OpenSearchSinkDeps> = {},
): OpenSearchSink {
  const config = loadConfig(
    { OPENSEARCH_URL: stackEnv().OPENSEARCH_URL, INDEX_PREFIX: prefix, MAPPING_MODE: 'auto', ...env },
    ['OPENSEARCH_URL'],
  );
  return createOpenSearchSink(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    backoff: FAST_BACKOFF,
    ...deps,
  });
}

/** Deletes everything a test made under its prefix: indexes and both index templates. */
export async function removePrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }, { ignore: [404] });
  for (const family of ['events', 'insights']) {
    await client.indices.deleteIndexTemplate({ name: `${prefix}-${family}` }, { ignore: [404] });
  }
}

export async function countDocuments(
  client: Client,
  index: string,
  query?: Record<string, unknown>,
): Promise<number> {
  await client.indices.refresh({ index }, { ignore: [404] });
  const response = await client.count({ index, body: query ? { query } : {} }, { ignore: [404] });
  return (response.body as { count?: number }).count ?? 0;
}

/** The corpus files holding CloudTrail `Records`: logs, converted originals, Insights (not digests or doc examples). */
export async function corpusFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of ['logs', 'converted-records', 'insights']) {
    for await (const file of walkLogFiles(join(CORPUS, folder))) files.push(file);
  }
  // A real delivery file with a `.log` name, which the folder walk leaves out.
  files.push(join(CORPUS, 'logs/aws-solutions_centralized-logging-with-opensearch/cloudtrail.log'));
  return files.filter((file) => classifyObjectKey(file).kind !== LogFileKind.Digest);
}

/** One corpus file's documents, through the product's own reader and transform. */
export function corpusDocuments(file: string, prefix: string): AsyncIterableIterator<IndexableDocument> {
  return transformLogFile(
    createReadStream(file),
    { name: file, keyInfo: classifyObjectKey(file) },
    { routing: IndexRouting.EventTime, indexPrefix: prefix, flattenKeys: DEFAULT_FLATTEN_KEYS },
  );
}

/** Collects a file's documents (for tests that need them twice or in pieces). */
export async function collect(documents: AsyncIterable<IndexableDocument>): Promise<IndexableDocument[]> {
  const all: IndexableDocument[] = [];
  for await (const document of documents) all.push(document);
  return all;
}

/**
 * `count` documents derived from a real corpus event: fresh eventIDs, the event time moved into
 * the given month, transformed by the product's own transform.
 */
export async function derivedDocuments(
  prefix: string,
  count: number,
  months: readonly string[] = ['2024-05'],
  tag = 'x',
): Promise<IndexableDocument[]> {
  const path = join(
    CORPUS,
    'logs/flosell_trailscraper/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json',
  );
  const base = (JSON.parse(await readFile(path, 'utf8')) as { Records: Array<Record<string, unknown>> })
    .Records[1];
  const records = Array.from({ length: count }, (_, n) => ({
    ...base,
    eventID: `${tag}-${n.toString().padStart(6, '0')}-0000-4000-8000-derived00000`,
    eventTime: `${months[n % months.length]}-0${1 + (n % 9)}T12:00:00Z`,
  }));
  const bytes = Buffer.from(JSON.stringify({ Records: records }));
  return collect(
    transformLogFile(
      [bytes],
      { name: 'derived.json', keyInfo: classifyObjectKey('derived.json') },
      { routing: IndexRouting.EventTime, indexPrefix: prefix, flattenKeys: DEFAULT_FLATTEN_KEYS },
    ),
  );
}

export interface FieldCount {
  /** Leaf fields over all indexes of the pattern (union), multi-fields such as `.keyword` included: what an index pattern lists. */
  readonly mapped: number;
  /** The largest single index, same counting; compare with `index.mapping.total_fields.limit`. */
  readonly largestIndex: number;
  /** Fields `_field_caps` reports (metadata fields left out): what Dashboards requests to build the pattern. */
  readonly fieldCaps: number;
}

/** Counts the fields of every index matching `pattern`, from `GET <pattern>/_mapping` and `_field_caps`. */
export async function fieldCount(client: Client, pattern: string): Promise<FieldCount> {
  type Node = { type?: string; properties?: Record<string, Node>; fields?: Record<string, Node> };
  const response = await client.indices.getMapping({ index: pattern });
  const union = new Set<string>();
  let largestIndex = 0;
  for (const { mappings } of Object.values(
    response.body as Record<string, { mappings: { properties?: Record<string, Node> } }>,
  )) {
    const fields = new Set<string>();
    const walk = (properties: Record<string, Node>, path: string): void => {
      for (const [name, node] of Object.entries(properties)) {
        if (node.properties) {
          walk(node.properties, `${path}${name}.`);
          continue;
        }
        fields.add(`${path}${name}`);
        for (const multi of Object.keys(node.fields ?? {})) fields.add(`${path}${name}.${multi}`);
      }
    };
    walk(mappings.properties ?? {}, '');
    largestIndex = Math.max(largestIndex, fields.size);
    for (const field of fields) union.add(field);
  }
  const caps = await client.fieldCaps({ index: pattern, fields: '*' });
  const fieldCaps = Object.keys((caps.body as { fields: Record<string, unknown> }).fields).filter(
    (name) => !name.startsWith('_'),
  ).length;
  return { mapped: union.size, largestIndex, fieldCaps };
}
