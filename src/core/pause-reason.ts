/** Why a worker stops receiving messages; several may hold at once. */
export const PauseReason = {
  /** An operator set the shared pause switch (`cloudtrail-indexer pause`). */
  Manual: 'manual',
  /** The Amazon OpenSearch Service domain is being changed or upgraded. */
  DomainChange: 'domain-change',
  /** The cluster pushed back (sustained throttling, a write block). */
  Backpressure: 'backpressure',
} as const;
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason];

export const PAUSE_REASONS: readonly PauseReason[] = Object.values(PauseReason);
