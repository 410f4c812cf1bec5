/**
 * Running totals of what the sink did, for the metrics endpoint to read (it owns the metric
 * names; these stay plain numbers). Mutated only by the sink.
 */
export interface SinkCounters {
  bulkRequests: number;
  /** Bulk requests sent again after a transient failure of the request or of some of its items. */
  bulkRetries: number;
  /** Bulk requests split in two after a 413. */
  bulkSplits: number;
  documentsAccepted: number;
  documentsRepaired: number;
  documentsFailed: number;
  /** Documents not delivered because the write was aborted (shutdown); their files are retried. */
  documentsInterrupted: number;
  /** Documents found already indexed with the same content (a redelivery): accepted. */
  documentsUnchanged: number;
  /** Documents whose `_id` was already indexed with other content: not written, reported. */
  documentsConflicting: number;
  /** Responses or items refused with 429 / rejected execution. */
  throttled: number;
  /** Responses or items refused because of a cluster or index write block. */
  clusterBlocks: number;
  indexesCreated: number;
  /** Creations that found the index already made by another process. */
  indexesAlreadyExisting: number;
}

export function createSinkCounters(): SinkCounters {
  return {
    bulkRequests: 0,
    bulkRetries: 0,
    bulkSplits: 0,
    documentsAccepted: 0,
    documentsRepaired: 0,
    documentsFailed: 0,
    documentsInterrupted: 0,
    documentsUnchanged: 0,
    documentsConflicting: 0,
    throttled: 0,
    clusterBlocks: 0,
    indexesCreated: 0,
    indexesAlreadyExisting: 0,
  };
}
