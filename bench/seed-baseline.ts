/**
 * The seed: the Python Lambda and `bulk_upload` this project replaces (Chariot Solutions'
 * `cloudtrail_to_elasticsearch`, Apache-2.0). The benchmark indexes the same events the way it did, so
 * that every record run compares our mapping with the seed's on the same documents.
 *
 * What is reproduced, from its documented index configuration (`DEFAULT_INDEX_CONFIG` in its
 * processor module and the "Elasticsearch index creation" section of its README) and its transform:
 * - each month index is created explicitly with that body: `total_fields.limit` 8192, 1 shard, 0
 *   replicas; `apiVersion` as text; every leaf under `requestParameters_flattened`,
 *   `responseElements_flattened` and `resources_flattened` as `text`; everything else by OpenSearch's
 *   default dynamic mapping (a string is `text` plus a `.keyword` sub-field, dates detected);
 * - it flattens only `requestParameters`, `responseElements` and `resources`: `<key>_raw` is
 *   `json.dumps` of the value, `<key>_flattened` maps each leaf name (dots as `_`) to its distinct
 *   values as Python `str()`s; an empty or missing value is dropped, a scalar kept as it is;
 * - the month comes from the file name (`cloudtrail-YYYY-MM`), the document is sent with an `index`
 *   action and `_id` = eventID, the line serialized by `json.dumps` (`", "` and `": "`, ASCII only).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Workload } from './generate-workload.ts';
import type { BulkBodies, BulkSettings } from './upper-bound.ts';

const FLATTENED_AS_TEXT = ['requestParameters', 'responseElements', 'resources'] as const;

/** The seed's index body (its `DEFAULT_INDEX_CONFIG`), as it created every month index. */
export const SEED_INDEX_CONFIG = Object.freeze({
  settings: {
    'index.mapping.total_fields.limit': 8192,
    'index.number_of_shards': 1,
    'index.number_of_replicas': 0,
  },
  mappings: {
    dynamic_templates: FLATTENED_AS_TEXT.map((key) => ({
      [`flattened_${key}`]: { path_match: `${key}_flattened.*`, mapping: { type: 'text' } },
    })),
    properties: { apiVersion: { type: 'text' } },
  },
});

/** The seed's file-name routing: `..._YYYYMMDDTHHMMZ_xxxx.json.gz` → `<prefix>-YYYY-MM`. */
const FILE_NAME_MONTH = /.*_(\d{4})(\d{2})\d{2}T\d{4}Z_\w+\.json\.gz$/;

export function seedIndexName(key: string, prefix: string): string | undefined {
  const match = FILE_NAME_MONTH.exec(key);
  return match ? `${prefix}-${match[1]}-${match[2]}` : undefined;
}

/** Python's `str()` of a JSON scalar. */
function pythonStr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value);
  return String(value);
}

function pythonFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function collectLeaves(value: unknown, key: string, out: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectLeaves(item, key, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [child, item] of Object.entries(value)) {
      // The seed skips blank keys.
      if (child) collectLeaves(item, child, out);
    }
  } else {
    const values = out.get(key) ?? new Set<string>();
    out.set(key, values);
    values.add(pythonStr(value));
  }
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** The seed's `transform_events` for one event (in place, as the seed does). */
export function seedTransform(event: Record<string, unknown>): Record<string, unknown> {
  for (const key of FLATTENED_AS_TEXT) {
    const value = event[key];
    delete event[key];
    if (isEmpty(value)) continue;
    if (typeof value !== 'object') {
      event[key] = value;
      continue;
    }
    const leaves = new Map<string, Set<string>>();
    collectLeaves(value, key, leaves);
    event[`${key}_raw`] = pythonDumps(value);
    const flattened: Record<string, string[]> = {};
    for (const [name, values] of leaves) flattened[name.replaceAll('.', '_')] = [...values];
    event[`${key}_flattened`] = flattened;
  }
  return event;
}

/** Python's `json.dumps` with its defaults: `", "` and `": "` separators, non-ASCII escaped. */
export function pythonDumps(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    case 'number':
      return Number.isInteger(value) ? String(value) : pythonFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${pythonDumps(k)}: ${pythonDumps(v)}`)
        .join(', ')}}`;
    default:
      return 'null';
  }
}

/**
 * The workload as the seed's `bulk_upload --local` would send it, cut by the same byte and document
 * bounds as the product's requests (the seed's own batches were smaller; only the mapping is compared).
 */
export async function buildSeedBulkBodies(
  workload: Workload,
  settings: BulkSettings,
  prefix: string,
): Promise<BulkBodies> {
  const bodies: Buffer[] = [];
  const indexes = new Set<string>();
  let lines: string[] = [];
  let batchBytes = 0;
  let documents = 0;
  let bytes = 0;
  const flush = (): void => {
    if (lines.length === 0) return;
    const body = Buffer.from(lines.join(''), 'utf8');
    bodies.push(body);
    bytes += body.length;
    lines = [];
    batchBytes = 0;
  };
  const files = [...workload.files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const file of files) {
    const index = seedIndexName(file.key, prefix);
    if (!index) throw new Error(`${file.key}: not a CloudTrail file name, the seed would skip it`);
    indexes.add(index);
    const parsed = JSON.parse(gunzipSync(await readFile(join(workload.dir, file.key))).toString('utf8')) as {
      Records?: Array<Record<string, unknown>>;
    };
    for (const event of parsed.Records ?? []) {
      const action = `${pythonDumps({ index: { _index: index, _id: event.eventID } })}\n`;
      const line = `${pythonDumps(seedTransform(event))}\n`;
      const size = Buffer.byteLength(action) + Buffer.byteLength(line);
      if (
        lines.length > 0 &&
        (batchBytes + size > settings.maxBytes || lines.length / 2 >= settings.maxDocuments)
      )
        flush();
      lines.push(action, line);
      batchBytes += size;
      documents++;
    }
  }
  flush();
  return { bodies, documents, bytes, indexes: [...indexes].sort() };
}
