import { createHash } from 'node:crypto';

/** OpenSearch rejects longer `_id`s. */
const MAX_ID_BYTES = 512;

/**
 * The `_id` of an event: its `eventID`, so a redelivered file or an overlapping backfill overwrites
 * instead of duplicating. An event without a usable `eventID` gets the SHA-256 of its compact JSON, so
 * the same event always gets the same id. Call it before the event is flattened: the hash is of the
 * event as CloudTrail wrote it, whatever the flattening settings.
 */
export function documentIdFor(event: Record<string, unknown>): string {
  const eventId = event.eventID;
  if (typeof eventId === 'string' && eventId.length > 0 && Buffer.byteLength(eventId) <= MAX_ID_BYTES) {
    return eventId;
  }
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
}
