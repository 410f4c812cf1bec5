import { isRawJson, parseLossless } from '../../core/parse-lossless.ts';
import type { FailureClass } from './classify-failure.ts';
import { REPAIR_FIELD } from './index-templates.ts';

/**
 * Mapping repair: a document the index mapping refuses is changed just enough to be accepted,
 * and says so on itself, so nothing is lost and nothing is silently altered.
 * - A value inside a `<key>_flattened` map is dropped: `<key>_raw` keeps the original in full.
 * - Any other offending value is removed from its place and kept as JSON text under
 *   `indexerRepair.values` (a text field the template maps, so it can never conflict again).
 * - `indexerRepair.fields` / `.reasons` record what was repaired and why.
 * OpenSearch names one offending field per attempt, so a document may take a few rounds.
 */

type JsonObject = Record<string, unknown>;

export interface RepairState {
  readonly source: JsonObject;
  readonly fields: string[];
  readonly reasons: string[];
  readonly values: JsonObject;
  rounds: number;
}

/** Lucene's longest term, in bytes. */
const MAX_TERM_BYTES = 32_766;
const MAX_RECORDED_REASON = 300;

const FIELD_PATTERNS = [
  /failed to parse field \[([^\]]+)\]/,
  /object mapping for \[([^\]]+)\] tried to parse field/,
  /Could not dynamically add mapping for field \[([^\]]+)\]/,
  /non object mapping \[([^\]]+)\] with an object mapping/i,
  /mapper \[([^\]]+)\] cannot be changed from type/,
  /immense term in field="([^"]+)"/,
  /due to object field \[([^\]]+)\]/,
];

/** The field OpenSearch blames, if its message names one. */
export function offendingField(reason: string): string | undefined {
  for (const pattern of FIELD_PATTERNS) {
    const match = pattern.exec(reason);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isRawJson(value);
}

/** Parses a document for repair; `undefined` when it is not a JSON object (nothing to repair). */
export function startRepair(body: string): RepairState | undefined {
  let source: unknown;
  try {
    source = parseLossless(body);
  } catch {
    return undefined;
  }
  if (!isObject(source)) return undefined;
  return { source, fields: [], reasons: [], values: {}, rounds: 0 };
}

interface Location {
  readonly holder: JsonObject;
  readonly key: string;
  /** Path segments that did not resolve below `holder[key]`. */
  readonly rest: readonly string[];
}

/**
 * Finds the values a dotted mapping path refers to. Arrays are transparent (as in OpenSearch),
 * and keys that contain dots themselves are matched too. When the path goes deeper than the
 * document does, the deepest existing value is the culprit (an object where a value was mapped,
 * or the reverse).
 */
function locate(node: unknown, segments: readonly string[], from: number): Location[] {
  if (Array.isArray(node)) return node.flatMap((item) => locate(item, segments, from));
  if (!isObject(node)) return [];
  for (let to = segments.length; to > from; to -= 1) {
    const key = segments.slice(from, to).join('.');
    if (!Object.hasOwn(node, key)) continue;
    if (to === segments.length) return [{ holder: node, key, rest: [] }];
    const deeper = locate(node[key], segments, to);
    return deeper.length > 0 ? deeper : [{ holder: node, key, rest: segments.slice(to) }];
  }
  return [];
}

function flattenedMapOf(state: RepairState, path: string): string | undefined {
  const top = path.split('.', 1)[0] ?? '';
  if (!top.endsWith('_flattened')) return undefined;
  const raw = `${top.slice(0, -'_flattened'.length)}_raw`;
  return typeof state.source[raw] === 'string' ? top : undefined;
}

function record(state: RepairState, field: string, reason: string): void {
  state.fields.push(field);
  state.reasons.push(reason.slice(0, MAX_RECORDED_REASON));
}

/** In a flat_object map, drops only the values too long to index. */
function dropImmenseValues(state: RepairState, mapName: string, reason: string): boolean {
  const map = state.source[mapName];
  if (!isObject(map)) return false;
  let dropped = false;
  for (const [key, values] of Object.entries(map)) {
    // flat_object indexes `map.key=value` as one term; leave room for the path.
    const limit = MAX_TERM_BYTES - Buffer.byteLength(`${mapName}.${key}=`);
    const list = Array.isArray(values) ? values : [values];
    const kept = list.filter((value) => typeof value !== 'string' || Buffer.byteLength(value) <= limit);
    if (kept.length === list.length) continue;
    dropped = true;
    if (kept.length === 0) delete map[key];
    else map[key] = kept;
    record(state, `${mapName}.${key}`, reason);
  }
  return dropped;
}

function foldPath(state: RepairState, path: string, reason: string): boolean {
  const locations = locate(state.source, path.split('.'), 0);
  if (locations.length === 0) return false;
  const flattened = flattenedMapOf(state, path);
  const first = locations[0];
  if (
    flattened &&
    first &&
    /immense term/.test(reason) &&
    first.holder === state.source &&
    first.rest.length > 0
  ) {
    if (dropImmenseValues(state, flattened, reason)) return true;
  }
  const folded: unknown[] = [];
  for (const { holder, key } of locations) {
    folded.push(holder[key]);
    delete holder[key];
  }
  const foldedPath =
    first && first.rest.length > 0 ? path.split('.').slice(0, -first.rest.length).join('.') : path;
  if (!flattened) state.values[foldedPath] = folded.length === 1 ? folded[0] : folded;
  record(state, foldedPath, reason);
  return true;
}

/**
 * When no single field is to blame (total-fields or depth limits), shed what creates fields:
 * first the flattened maps (their `_raw` keeps everything), then every field the template does
 * not map explicitly.
 */
function foldStructure(state: RepairState, reason: string, explicitFields: ReadonlySet<string>): boolean {
  const maps = Object.keys(state.source).filter((key) => flattenedMapOf(state, key) === key);
  if (maps.length > 0) {
    for (const key of maps) {
      delete state.source[key];
      record(state, key, reason);
    }
    return true;
  }
  const loose = Object.keys(state.source).filter(
    (key) => !explicitFields.has(key) && !key.endsWith('_raw') && key !== REPAIR_FIELD,
  );
  for (const key of loose) {
    state.values[key] = state.source[key];
    delete state.source[key];
    record(state, key, reason);
  }
  return loose.length > 0;
}

/** Applies one round of repair for a refused item; `false` when nothing more can be done. */
export function repairDocument(
  state: RepairState,
  failure: Pick<FailureClass, 'kind' | 'reason'>,
  explicitFields: ReadonlySet<string>,
): boolean {
  state.rounds += 1;
  const field = offendingField(failure.reason);
  if (field !== undefined && field !== REPAIR_FIELD && !field.startsWith(`${REPAIR_FIELD}.`)) {
    if (foldPath(state, field, failure.reason)) return true;
  }
  return foldStructure(state, failure.reason, explicitFields);
}

/** The repaired document as JSON text, with its repair record. */
export function serializeRepair(state: RepairState): string {
  const repair: JsonObject = { fields: state.fields, reasons: state.reasons };
  if (Object.keys(state.values).length > 0) repair.values = JSON.stringify(state.values);
  return JSON.stringify({ ...state.source, [REPAIR_FIELD]: repair });
}
