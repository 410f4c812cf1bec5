import { isRawJson } from '../core/parse-lossless.ts';

/** The top-level keys whose nested, service-specific values are flattened by default. */
export const DEFAULT_FLATTEN_KEYS: readonly string[] = Object.freeze([
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'resources',
  'tlsDetails',
  'addendum',
  'edgeDeviceDetails',
  'insightDetails',
]);

export const RAW_SUFFIX = '_raw';
export const FLATTENED_SUFFIX = '_flattened';

/** Leaf name -> its distinct values as strings, in first-seen order (`__proto__` is an own data property). */
export type FlattenedLeaves = Record<string, string[]>;

/**
 * Collects every non-null leaf of `value` under its leaf key name: the path is dropped, array items
 * take the name of the key that holds the array, dots become `_` (OpenSearch reads dots as object
 * paths), and empty names are skipped. Strings stay as they are, numbers become their exact source
 * text, booleans `true`/`false`. `name` is the name for scalars that are not under any key (items of
 * a top-level array). Names longer than `maxNameChars` are left out: their values stay in `_raw`.
 */
export function flattenLeaves(
  value: unknown,
  name: string,
  maxNameChars: number = Number.POSITIVE_INFINITY,
): FlattenedLeaves {
  const leaves: Leaves = { out: new Map(), large: undefined, maxNameChars };
  collect(value, leafName(name), leaves);
  return objectOf(leaves.out);
}

interface Leaves {
  /** Leaf name -> its values, in first-seen order (a Map: any name is data, `__proto__` included). */
  readonly out: Map<string, string[]>;
  /** Sets for the names with many values, so deduplication stays linear; most names have one value. */
  large: Map<string, Set<string>> | undefined;
  /** Longer leaf names are left out (the value stays in `_raw`): in dynamic mode each name is a field. */
  readonly maxNameChars: number;
}

/**
 * The leaves as a plain object, for JSON.stringify. Not a null-prototype object: V8 keeps those in
 * dictionary mode, which JSON.stringify serializes through its slow path (measured: 9.0 -> 5.4 µs per
 * workload event for the whole document). The keys come out in the same order as from any object:
 * integer-like names first, ascending, then the others as first seen. `__proto__` is the one name an
 * assignment would not store as data, so it is defined instead.
 */
function objectOf(leaves: Map<string, string[]>): FlattenedLeaves {
  const out: FlattenedLeaves = {};
  for (const [name, values] of leaves) {
    if (name === '__proto__') {
      Object.defineProperty(out, name, {
        value: values,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[name] = values;
    }
  }
  return out;
}

/** Up to this many values per name, a linear search deduplicates faster than a Set. */
const LINEAR_DEDUP_LIMIT = 16;

function collect(value: unknown, name: string, leaves: Leaves): void {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
      // Exact: parseLossless keeps every number that would not print back as written as raw JSON.
      text = String(value);
      break;
    case 'boolean':
      text = value ? 'true' : 'false';
      break;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (const item of value) collect(item, name, leaves);
        return;
      }
      if (isRawJson(value)) {
        text = value.rawJSON;
        break;
      }
      for (const key in value) {
        collect((value as Record<string, unknown>)[key], leafName(key), leaves);
      }
      return;
    default:
      return;
  }
  if (name === '' || name.length > leaves.maxNameChars) return;
  const values = leaves.out.get(name);
  if (values === undefined) {
    leaves.out.set(name, [text]);
  } else if (values.length < LINEAR_DEDUP_LIMIT) {
    if (!values.includes(text)) values.push(text);
  } else {
    leaves.large ??= new Map();
    let seen = leaves.large.get(name);
    if (seen === undefined) {
      seen = new Set(values);
      leaves.large.set(name, seen);
    }
    if (!seen.has(text)) {
      seen.add(text);
      values.push(text);
    }
  }
}

function leafName(key: string): string {
  return key.includes('.') ? key.replaceAll('.', '_') : key;
}

function isEmptyContainer(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const _ in value) return false;
  return true;
}

/**
 * `<key>_raw` and `<key>_flattened` for each flattened key, made once: a name concatenated anew for
 * every event is a new string whose hash V8 computes again at each property access.
 */
const suffixedNames = new Map<string, { readonly raw: string; readonly flattened: string }>();

function namesFor(key: string): { readonly raw: string; readonly flattened: string } {
  let names = suffixedNames.get(key);
  if (names === undefined) {
    names = { raw: key + RAW_SUFFIX, flattened: key + FLATTENED_SUFFIX };
    // Bounded: the keys come from the configuration (FLATTEN_KEYS), not from the events.
    if (suffixedNames.size < 1024) suffixedNames.set(key, names);
  }
  return names;
}

/**
 * Replaces each of `keys` in `event` (mutating it) whose value is a non-empty object or array by
 * `<key>_flattened` (see `flattenLeaves`) and `<key>_raw` (the value as compact JSON, numbers exact).
 * `null`, `{}` and `[]` are removed; scalars stay. A key is left untouched when the event already has
 * a `<key>_raw` or `<key>_flattened` field, so no existing value is ever overwritten.
 */
export function flattenFields(
  event: Record<string, unknown>,
  keys: readonly string[],
  maxNameChars: number = Number.POSITIVE_INFINITY,
): void {
  for (const key of keys) {
    if (!Object.hasOwn(event, key)) continue;
    const value = event[key];
    if (typeof value !== 'object' || isRawJson(value)) continue;
    const { raw: rawKey, flattened: flattenedKey } = namesFor(key);
    if (value !== null && !isEmptyContainer(value)) {
      if (Object.hasOwn(event, rawKey) || Object.hasOwn(event, flattenedKey)) continue;
      event[flattenedKey] = flattenLeaves(value, key, maxNameChars);
      event[rawKey] = JSON.stringify(value);
    }
    // `undefined` makes JSON.stringify leave the key out, without `delete` slowing the object down.
    event[key] = undefined;
  }
}
