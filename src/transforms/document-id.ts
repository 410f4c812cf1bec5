import { createHash } from 'node:crypto';

/** OpenSearch rejects longer `_id`s. */
const MAX_ID_BYTES = 512;
/** The form of a content-hash id; an eventID of that form is hashed too, so the two never meet. */
const HASH_ID = /^[0-9a-f]{64}$/;
/** Control characters, unpaired surrogates and other code points that are not text. */
const NOT_TEXT = /\p{C}/u;
/** What CloudTrail writes: a UUID passes every check below, so it is taken at a glance. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `_id` of an event: its `eventID`, so a redelivered file or an overlapping backfill finds its
 * documents already there instead of duplicating them. An event whose `eventID` is missing, empty,
 * too long, not well-formed text (a lone surrogate, which OpenSearch turns into U+FFFD, so that
 * distinct eventIDs would share one document), holding control characters, or shaped like a hash
 * gets the SHA-256 of its compact JSON instead (JSON.stringify escapes lone surrogates, so distinct
 * events hash apart). So the id is well-formed, and distinct events never share one. Call it before
 * the event is flattened: the hash is of the event as CloudTrail wrote it, whatever the settings.
 */
export function documentIdFor(event: Record<string, unknown>): string {
  const eventId = event.eventID;
  if (typeof eventId === 'string' && UUID.test(eventId)) return eventId;
  if (
    typeof eventId === 'string' &&
    eventId.length > 0 &&
    Buffer.byteLength(eventId) <= MAX_ID_BYTES &&
    !NOT_TEXT.test(eventId) &&
    !HASH_ID.test(eventId)
  ) {
    return eventId;
  }
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
}
