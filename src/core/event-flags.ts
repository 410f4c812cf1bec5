/**
 * What the indexer noticed about an event. The flags for what it changed (folded keys, a rerouted
 * month) are recorded on the document itself (`indexerFlags`, a keyword list), so that a search finds
 * every event a hostile file brought; all are counted per file (summary line, metrics).
 */
export const FLAGS_FIELD = 'indexerFlags';

export const EventFlag = {
  /** Some top-level keys were folded into `indexerFolded` (see fold-hostile-keys.ts). */
  FoldedKeys: 'folded-keys',
  /** `eventTime` lies outside the window around the file's delivery: routed to the file's month. */
  OutsideTimeWindow: 'event-time-outside-window',
  /** `recipientAccountId` is not the account the file's key names. */
  AccountMismatch: 'account-mismatch',
} as const;
export type EventFlag = (typeof EventFlag)[keyof typeof EventFlag];

/**
 * Flags no real CloudTrail file produces: a file with events so flagged is indexed (its events are
 * safe once folded or rerouted), then set aside as hostile (dead-letter queue, failed list) with the
 * reason. `account-mismatch` is not one of them: copies of real trails show it (a bucket's files
 * re-uploaded under another account's folder), so it is recorded, counted and logged only.
 */
export type HostileFlag = typeof EventFlag.FoldedKeys | typeof EventFlag.OutsideTimeWindow;
export const HOSTILE_FLAGS: ReadonlySet<EventFlag> = new Set<HostileFlag>([
  EventFlag.FoldedKeys,
  EventFlag.OutsideTimeWindow,
]);

export function isHostileFlag(flag: EventFlag): flag is HostileFlag {
  return HOSTILE_FLAGS.has(flag);
}
