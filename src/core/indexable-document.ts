import type { EventFlag } from './event-flags.ts';

/**
 * What the transform hands to the sink: one OpenSearch document, already serialized.
 * The body is serialized once, by the transform, so the sink never re-encodes the common case
 * and the exact source text of every value (big integers, `1.0`) reaches OpenSearch unchanged.
 */
export interface IndexableDocument {
  /** Target index, e.g. `cloudtrail-2024-05`. */
  readonly index: string;
  /** `_id`: the eventID, or a content hash for events without one. */
  readonly id: string;
  /** The document as compact JSON text (one NDJSON line, without the newline). */
  readonly body: string;
  /** What the transform noticed about the event (also in the body, as `indexerFlags`); absent: nothing. */
  readonly flags?: readonly EventFlag[];
  /**
   * What kind of event it is (its eventName): the sink sends the documents of a kind next to each
   * other (sinks/opensearch/kind-order.ts). Absent: no kind, sent after the others.
   */
  readonly kind?: string;
}

/**
 * The field holding an event's folded top-level keys and their values, as the JSON text of one object
 * (transforms/fold-hostile-keys.ts writes it; the index template maps it as text).
 */
export const FOLDED_FIELD = 'indexerFolded';

/** Longer field names are folded by the transform and past the mapping's field name limit. */
export const DEFAULT_MAX_FIELD_NAME_CHARS = 256;
