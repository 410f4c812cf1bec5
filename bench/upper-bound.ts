import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { classifyObjectKey } from '../src/core/classify-object-key.ts';
import { type TransformOptions, transformLogFileBatches } from '../src/pipeline/transform-log-file.ts';
import { type BulkItem, bulkBodyOf, bulkItemBytes, bulkItemOf } from '../src/sinks/opensearch/bulk-item.ts';
import { BULK_RESPONSE_FILTER } from '../src/sinks/opensearch/deliver-batch.ts';
import { inKindOrder } from '../src/sinks/opensearch/kind-order.ts';
import { createOpenSearchSink } from '../src/sinks/opensearch/opensearch-sink.ts';
import type { Workload } from './generate-workload.ts';

/** The product's bulk settings as its configuration resolves them (defaults unless the environment says otherwise). */
export interface BulkSettings {
  readonly maxBytes: number;
  readonly maxDocuments: number;
  readonly concurrency: number;
}

export function productBulkSettings(env: NodeJS.ProcessEnv = process.env): BulkSettings {
  const config = loadConfig(env);
  return {
    maxBytes: config.BULK_MAX_BYTES,
    maxDocuments: config.BULK_MAX_DOCUMENTS,
    concurrency: config.BULK_CONCURRENCY,
  };
}

export interface BulkBodies {
  /** Ready-to-send `_bulk` request bodies, outside the JS heap. */
  readonly bodies: readonly Buffer[];
  readonly documents: number;
  readonly bytes: number;
  readonly indexes: readonly string[];
  /** The indexes each body writes to, by body: a poster that creates indexes as the product does needs them. */
  readonly bodyIndexes?: ReadonlyArray<readonly string[]>;
}

/**
 * How requests are cut: `full` runs batches across file boundaries (every request as full as the
 * bounds allow: the best case for the cluster, the upper bound); `per-file` ends a batch with each
 * file, as the product's bulk writer does, to tell the cost of smaller requests from everything else.
 */
export type Batching = 'full' | 'per-file';

/** The order of each body's documents: by kind, as the product's bulk writer sends them, or as in the files. */
export type DocumentOrder = 'kind' | 'file';

/**
 * The workload's documents as the product would send them: its own transform and its own action
 * and body lines, in the backfill's file order, cut into requests by the same byte and document bounds.
 */
export async function buildBulkBodies(
  workload: Workload,
  settings: BulkSettings,
  transform: TransformOptions,
  batching: Batching = 'full',
  order: DocumentOrder = 'kind',
): Promise<BulkBodies> {
  const bodies: Buffer[] = [];
  const bodyIndexes: string[][] = [];
  const indexes = new Set<string>();
  let batchIndexes = new Set<string>();
  let batch: BulkItem[] = [];
  let batchBytes = 0;
  let documents = 0;
  let bytes = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    const body = bulkBodyOf((order === 'kind' && inKindOrder(batch)) || batch);
    bodies.push(body);
    bodyIndexes.push([...batchIndexes]);
    bytes += body.length;
    batch = [];
    batchIndexes = new Set();
    batchBytes = 0;
  };
  const files = [...workload.files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const file of files) {
    const path = join(workload.dir, file.key);
    const source = { name: path, keyInfo: classifyObjectKey(file.key) };
    for await (const batchOfDocuments of transformLogFileBatches(
      createReadStream(path, { highWaterMark: 64 * 1024 }),
      source,
      transform,
    )) {
      for (const document of batchOfDocuments) {
        const item = bulkItemOf(document);
        indexes.add(document.index);
        if (
          batch.length > 0 &&
          (batchBytes + bulkItemBytes(item) > settings.maxBytes || batch.length >= settings.maxDocuments)
        )
          flush();
        batch.push(item);
        batchIndexes.add(document.index);
        batchBytes += bulkItemBytes(item);
        documents++;
      }
    }
    if (batching === 'per-file') flush();
  }
  flush();
  return { bodies, documents, bytes, indexes: [...indexes].sort(), bodyIndexes };
}

/**
 * Installs the product's index templates for `prefix` (what the worker and the backfill do before
 * their first file, outside the benchmark's clock) and, unless told otherwise, creates the indexes.
 */
export async function prepareIndexes(
  url: string,
  prefix: string,
  indexes: readonly string[],
  options: { create: boolean } = { create: true },
): Promise<void> {
  const config = loadConfig({ OPENSEARCH_URL: url, INDEX_PREFIX: prefix }, ['OPENSEARCH_URL']);
  const sink = createOpenSearchSink(config, { logger: pino({ level: 'silent' }) });
  try {
    await sink.prepare();
    if (options.create) for (const index of indexes) await sink.client.indices.create({ index });
  } finally {
    await sink.close();
  }
}

/**
 * Creates each index before the first request that writes to it, as the product's IndexManager does:
 * a plain `PUT /<index>` (the template supplies settings and mappings), one creation at a time,
 * requests that need the same new index waiting for the same creation.
 */
export function indexCreator(url: string): (index: string) => Promise<void> {
  const created = new Map<string, Promise<void>>();
  let chain: Promise<unknown> = Promise.resolve();
  const create = async (index: string): Promise<void> => {
    const response = await fetch(new URL(`/${encodeURIComponent(index)}`, url), { method: 'PUT' });
    if (!response.ok) throw new Error(`PUT ${index}: ${response.status} ${await response.text()}`);
  };
  return (index) => {
    let pending = created.get(index);
    if (!pending) {
      pending = chain.then(() => create(index));
      chain = pending.catch(() => undefined);
      created.set(index, pending);
    }
    return pending;
  };
}

export interface PostResult {
  readonly seconds: number;
  readonly requests: number;
}

/**
 * Posts the bodies with at most `concurrency` requests in flight over keep-alive connections and
 * times only that: no client library, no response parsing beyond checking `"errors":false`, and the
 * product's `filter_path` (the answer carries each item's status only).
 */
export async function postBulkBodies(
  url: string,
  bodies: readonly Buffer[],
  concurrency: number,
  /** Called (and awaited) before body `i` is posted: the product creates an index before its first write. */
  beforeBody?: (i: number) => Promise<void>,
): Promise<PostResult> {
  const target = new URL('/_bulk', url);
  // The same request as the product's: OpenSearch answers with each item's status only.
  target.searchParams.set('filter_path', BULK_RESPONSE_FILTER);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let seen = 0;
          response.on('data', (chunk: Buffer) => {
            // Only the head is needed: `{"errors":false,...`.
            if (seen < 256) chunks.push(chunk);
            seen += chunk.length;
          });
          response.on('end', () => {
            const head = Buffer.concat(chunks).subarray(0, 256).toString('utf8');
            if (response.statusCode !== 200 || !/"errors"\s*:\s*false/.test(head)) {
              reject(new Error(`bulk request failed: ${response.statusCode} ${head}`));
            } else resolve();
          });
          response.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const i = next++;
        await beforeBody?.(i);
        await post(bodies[i]!);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { seconds, requests: bodies.length };
}
