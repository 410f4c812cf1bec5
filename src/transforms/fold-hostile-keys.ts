import { DEFAULT_MAX_FIELD_NAME_CHARS, FOLDED_FIELD } from '../core/indexable-document.ts';
import { isRawJson } from '../core/parse-lossless.ts';
import { FLATTENED_SUFFIX, RAW_SUFFIX } from './flatten-fields.ts';

/**
 * Top-level keys that would make the index mapping grow without bound are folded, before the event
 * is flattened, into one text field holding them as JSON: they stay in `_source` and searchable as
 * text, but never become fields. Anyone who can write to the bucket controls every key name, and a
 * mapping update with megabyte-long names (or thousands of new fields) is what takes a cluster down.
 */

/** Our own top-level fields begin with it; an event bringing such a key is folded, never trusted. */
const RESERVED_PREFIX = 'indexer';

export interface KeyLimits {
  /** Longer key names are folded (top level) or left out of `*_flattened` (nested). */
  readonly maxFieldNameChars: number;
  /**
   * Distinct top-level keys a CloudTrail event does not define kept as fields, per file (each new name
   * is a new field of the month's index); later new names are folded.
   */
  readonly maxExtraTopLevelKeys: number;
}

export const DEFAULT_MAX_EXTRA_TOP_LEVEL_KEYS = 64;
export const DEFAULT_KEY_LIMITS: KeyLimits = Object.freeze({
  maxFieldNameChars: DEFAULT_MAX_FIELD_NAME_CHARS,
  maxExtraTopLevelKeys: DEFAULT_MAX_EXTRA_TOP_LEVEL_KEYS,
});

/** Object levels within one kept top-level value; OpenSearch's own default depth limit is 20 in all. */
const MAX_KEPT_DEPTH = 16;
/** Keys within one kept (not flattened) top-level value: `userIdentity` has a few dozen at most. */
const MAX_KEPT_KEYS = 1000;

/** The fields of a CloudTrail record (CloudTrail record contents, AWS documentation), plus Logstash's. */
const CLOUDTRAIL_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  'eventTime',
  'eventVersion',
  'userIdentity',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'eventType',
  'apiVersion',
  'managementEvent',
  'readOnly',
  'resources',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'addendum',
  'sessionCredentialFromConsole',
  'edgeDeviceDetails',
  'tlsDetails',
  'insightDetails',
]);

/** Control characters, unpaired surrogates, unassigned code points. */
const UNPRINTABLE = /\p{C}/u;

/** A top-level name that may become a field: no path dots, no metadata `_` prefix, none of our names. */
function isFieldName(key: string, maxChars: number): boolean {
  return (
    key.length > 0 &&
    key.length <= maxChars &&
    key.trim() !== '' &&
    !key.includes('.') &&
    !key.startsWith('_') &&
    !key.startsWith(RESERVED_PREFIX) &&
    !key.endsWith(RAW_SUFFIX) &&
    !key.endsWith(FLATTENED_SUFFIX) &&
    !UNPRINTABLE.test(key)
  );
}

/** Whether a value kept as an object stays within the bounds its fields may add to the mapping. */
function withinShape(root: object, maxChars: number): boolean {
  let keys = 0;
  const walk = (node: unknown, depth: number): boolean => {
    if (typeof node !== 'object' || node === null || isRawJson(node)) return true;
    if (Array.isArray(node)) return node.every((item) => walk(item, depth));
    if (depth > MAX_KEPT_DEPTH) return false;
    for (const key in node) {
      keys += 1;
      if (keys > MAX_KEPT_KEYS || key.length > maxChars) return false;
      if (!walk((node as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  };
  return walk(root, 1);
}

function keepExtra(key: string, kept: Set<string>, limits: KeyLimits): boolean {
  if (kept.has(key)) return true;
  if (kept.size >= limits.maxExtraTopLevelKeys) return false;
  kept.add(key);
  return true;
}

/**
 * Moves the hostile top-level keys of `event` (mutating it) into `indexerFolded`: names that are too
 * long, not usable as field names, ours, or new beyond the count of extra names in the file; and object values (other
 * than the flattened keys) deeper, wider or with longer names than a CloudTrail event has. Returns the
 * folded key names (empty: nothing was folded). Keys CloudTrail defines are kept whatever their number.
 */
export function foldHostileKeys(
  event: Record<string, unknown>,
  flattenKeys: ReadonlySet<string>,
  limits: KeyLimits,
  /** The extra names kept so far in this file; this event's alone when absent. */
  keptExtra: Set<string> = new Set(),
): string[] {
  const folded: Array<[string, unknown]> = [];
  for (const key in event) {
    const value = event[key];
    const known = CLOUDTRAIL_TOP_LEVEL_KEYS.has(key) || flattenKeys.has(key);
    let fold = !known && (!isFieldName(key, limits.maxFieldNameChars) || !keepExtra(key, keptExtra, limits));
    if (!fold && !flattenKeys.has(key) && typeof value === 'object' && value !== null && !isRawJson(value)) {
      fold = !withinShape(value, limits.maxFieldNameChars);
    }
    if (fold) folded.push([key, value]);
  }
  if (folded.length === 0) return [];
  const holder: Record<string, unknown> = Object.create(null);
  for (const [key, value] of folded) {
    holder[key] = value;
    // Deleted, not set to undefined: flattenFields reads a present `<key>_raw` as "leave it alone".
    delete event[key];
  }
  event[FOLDED_FIELD] = JSON.stringify(holder);
  return folded.map(([key]) => key);
}
