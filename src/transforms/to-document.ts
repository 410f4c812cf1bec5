import type { IndexableDocument } from '../pipeline/indexable-document.ts';
import type { ObjectKeyInfo } from '../sources/classify-object-key.ts';
import { documentIdFor } from './document-id.ts';
import { flattenFields } from './flatten-fields.ts';
import type { RoutingOptions } from './route-event.ts';
import { indexNameFor } from './route-event.ts';

export interface DocumentOptions extends RoutingOptions {
  /** Top-level keys to flatten (see flattenFields). */
  readonly flattenKeys: readonly string[];
}

/**
 * Turns one parsed event into the document OpenSearch receives: index from the routing, `_id` from
 * the eventID (or a content hash), nested keys flattened, serialized once. `event` must come from
 * `parseLossless` (exact numbers) and is consumed: it is modified in place.
 */
export function toDocument(
  event: Record<string, unknown>,
  file: ObjectKeyInfo,
  options: DocumentOptions,
): IndexableDocument {
  const id = documentIdFor(event);
  const index = indexNameFor(event, file, options);
  flattenFields(event, options.flattenKeys);
  return { index, id, body: JSON.stringify(event) };
}
