import type { ObjectKeyInfo } from '../core/classify-object-key.ts';
import { EventFlag, FLAGS_FIELD } from '../core/event-flags.ts';
import type { IndexableDocument } from '../core/indexable-document.ts';
import { documentIdFor } from './document-id.ts';
import { flattenFields } from './flatten-fields.ts';
import { DEFAULT_KEY_LIMITS, foldHostileKeys, type KeyLimits } from './fold-hostile-keys.ts';
import type { RoutingOptions } from './route-event.ts';
import { routeEvent } from './route-event.ts';

export interface DocumentOptions extends RoutingOptions {
  /** Top-level keys to flatten (see flattenFields). */
  readonly flattenKeys: readonly string[];
  /** Bounds on key names and counts (see foldHostileKeys); defaults when absent. */
  readonly keyLimits?: KeyLimits | undefined;
}

const flattenKeySets = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(keys: readonly string[]): ReadonlySet<string> {
  let set = flattenKeySets.get(keys);
  if (set === undefined) {
    set = new Set(keys);
    flattenKeySets.set(keys, set);
  }
  return set;
}

/**
 * Turns one parsed event into the document OpenSearch receives: index from the routing, `_id` from
 * the eventID (or a content hash), hostile keys folded, nested keys flattened, serialized once.
 * `event` must come from `parseLossless` (exact numbers) and is consumed: it is modified in place.
 */
export function toDocument(
  event: Record<string, unknown>,
  file: ObjectKeyInfo,
  options: DocumentOptions,
  /** What the file's earlier events did: the extra top-level names kept so far. */
  fileState?: { readonly extraKeys: Set<string> },
): IndexableDocument {
  const id = documentIdFor(event);
  const kind = typeof event.eventName === 'string' ? event.eventName : undefined;
  const route = routeEvent(event, file, options);
  const flags: EventFlag[] = [];
  if (route.outsideWindow) flags.push(EventFlag.OutsideTimeWindow);
  if ('accountId' in file && typeof event.recipientAccountId === 'string') {
    if (event.recipientAccountId !== file.accountId) flags.push(EventFlag.AccountMismatch);
  }
  const limits = options.keyLimits ?? DEFAULT_KEY_LIMITS;
  if (foldHostileKeys(event, setOf(options.flattenKeys), limits, fileState?.extraKeys).length > 0) {
    flags.push(EventFlag.FoldedKeys);
  }
  flattenFields(event, options.flattenKeys, limits.maxFieldNameChars);
  if (flags.length === 0) return { index: route.index, id, body: JSON.stringify(event), kind };
  // Only what the transform changed is written on the document; a foreign account is reported per file.
  const changed = flags.filter((flag) => flag !== EventFlag.AccountMismatch);
  if (changed.length > 0) event[FLAGS_FIELD] = changed;
  return { index: route.index, id, body: JSON.stringify(event), flags, kind };
}
