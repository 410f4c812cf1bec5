import { isDeepStrictEqual } from 'node:util';
import type { SavedObject, SavedObjectReference } from './saved-objects.ts';

/** Attributes that hold JSON as text: compared parsed, so re-serialization by Dashboards is no change. */
const JSON_TEXT = /JSON$|^visState$/;

function normalize(key: string, value: unknown): unknown {
  if (typeof value === 'string' && JSON_TEXT.test(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([inner, v]) => [inner, normalize(inner, v)]));
  }
  return value;
}

const referenceKey = (reference: SavedObjectReference): string =>
  `${reference.name}\u0000${reference.type}\u0000${reference.id}`;

/**
 * Whether the object stored in Dashboards already is the one we ship. Only the attributes we ship
 * count: Dashboards adds its own (the index pattern's `fields`, filled in from the cluster the first
 * time someone opens it), and those must not make every later `setup` overwrite the object.
 */
export function isSameSavedObject(wanted: SavedObject, stored: SavedObject): boolean {
  for (const [key, value] of Object.entries(wanted.attributes)) {
    if (!isDeepStrictEqual(normalize(key, value), normalize(key, stored.attributes[key]))) return false;
  }
  const wantedReferences = wanted.references.map(referenceKey).sort();
  const storedReferences = (stored.references ?? []).map(referenceKey).sort();
  return isDeepStrictEqual(wantedReferences, storedReferences);
}
