import type { EventFlag } from './event-flags.ts';
import type { FailureCode } from './failure-code.ts';

/**
 * What became of one log file, and so what its driver does with the message or checkpoint:
 * - `indexed`: every event is searchable: acknowledge;
 * - `skipped`: nothing to index (digest, not a CloudTrail key): acknowledge;
 * - `retry`: a transient failure (S3 or OpenSearch unavailable, shutdown): leave it for another try;
 * - `rejected`: it can never succeed as it is (missing object, corrupt or non-CloudTrail content,
 *   over a limit): set it aside (dead-letter queue, failed list) with the reason.
 */
export const FileStatus = {
  Indexed: 'indexed',
  Skipped: 'skipped',
  Retry: 'retry',
  Rejected: 'rejected',
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

export interface FileResult {
  readonly file: string;
  readonly status: FileStatus;
  /** Documents accepted by OpenSearch (repaired ones included). */
  readonly events: number;
  readonly repaired: number;
  readonly failed: number;
  /** Events not delivered because shutdown cut the delivery short (not in `failed`); absent when none. */
  readonly interrupted?: number | undefined;
  readonly indexes: readonly string[];
  /** Why it was skipped, retried or rejected: a sentence for logs. */
  readonly reason?: string | undefined;
  /** The same as a short code, for the summary line and metrics. */
  readonly failure?: FailureCode | undefined;
  /** The cluster refused writes (block or sustained throttling): stop taking new work for a while. */
  readonly blocked: boolean;
  readonly durationMs: number;
  /** Events found already indexed with the same content (a redelivery); included in `events`. */
  readonly unchanged?: number | undefined;
  /** Events not written because their `_id` holds other content indexed from another file. */
  readonly conflicts?: number | undefined;
  /** Events the transform flagged, by flag (`indexerFlags` on the documents); absent when none. */
  readonly flagged?: Partial<Record<EventFlag, number>> | undefined;
  /** Times its read broke off and was resumed from the byte it reached (S3 ranged GET); absent when none. */
  readonly readResumes?: number | undefined;
  /** Seconds from the announcement of the file to the end of its indexing. */
  readonly lagSeconds?: number | undefined;
}
