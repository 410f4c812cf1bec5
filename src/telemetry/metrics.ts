import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { EventFlag } from '../core/event-flags.ts';
import { FAILURE_CODES, FailureCode } from '../core/failure-code.ts';
import { FileStatus } from '../core/file-result.ts';
import { PAUSE_REASONS, type PauseReason } from '../core/pause-reason.ts';

/**
 * The service's whole metric vocabulary, in one place. Every label takes its values from a fixed
 * list below, so the number of series never grows with the data; a value outside the list is
 * counted under `other` instead of creating a series. Metrics are emitted per message, per file
 * or per bulk request, never per event.
 */

const PREFIX = 'cloudtrail_indexer_';

/** How a queue message announced its files. */
export const MessageFormat = {
  S3Event: 's3-event',
  SnsS3Event: 'sns-s3-event',
  CloudTrailSns: 'cloudtrail-sns',
  EventBridge: 'eventbridge',
  S3TestEvent: 's3-test-event',
  Unrecognized: 'unrecognized',
} as const;
export type MessageFormat = (typeof MessageFormat)[keyof typeof MessageFormat];

/** What became of one announced file: the pipeline's own statuses (indexed, skipped, retry, rejected). */
/** Why a file or message failed: the pipeline's one vocabulary (core/failure-code.ts). */
export { FailureCode, FileStatus };

export type BulkStatus = 'ok' | 'failed';

export interface FileDoneDetail {
  /** Events accepted by OpenSearch (repaired ones included). */
  readonly events?: number;
  /** Accepted documents that had to be repaired to fit the mapping. */
  readonly repaired?: number;
  /** Now minus the S3 event time of the object, in seconds; observed for indexed files only. */
  readonly lagSeconds?: number;
  /** Events the transform flagged, by flag. */
  readonly flagged?: Partial<Record<EventFlag, number>> | undefined;
  /** Times the file's S3 read broke off and was resumed from the byte it reached. */
  readonly readResumes?: number | undefined;
}

/**
 * Running totals kept by the OpenSearch sink as plain numbers (structurally its `SinkCounters`);
 * read at scrape time.
 */
export interface SinkTotals {
  readonly bulkRetries: number;
  readonly bulkSplits: number;
  readonly documentsFailed: number;
  readonly documentsInterrupted: number;
  readonly documentsConflicting: number;
  readonly documentsUnchanged: number;
  readonly throttled: number;
  readonly clusterBlocks: number;
  readonly indexesCreated: number;
}

export interface MetricsOptions {
  /** Also export Node.js process metrics (CPU, memory, event-loop lag, GC). Default true. */
  readonly processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** One message taken from the queue. */
  messageReceived(format: MessageFormat): void;
  /** A file starts processing; call the returned function (once; later calls do nothing) when it ends. */
  fileStarted(): () => void;
  /** One file finished, with its counts. */
  fileDone(outcome: FileStatus, detail?: FileDoneDetail): void;
  /** One file or message failed for this reason. */
  failure(reason: FailureCode): void;
  /** One bulk request finished after this many seconds. */
  bulkRequest(durationSeconds: number, status?: BulkStatus): void;
  /** The reasons currently stopping ingestion (an empty list: receiving). */
  paused(reasons: readonly PauseReason[]): void;
  /** Export the sink's running totals, read at each scrape. */
  watchSinkTotals(totals: SinkTotals): void;
}

function allowed<T extends string>(values: readonly T[], value: string, fallback: T): T {
  return (values as readonly string[]).includes(value) ? (value as T) : fallback;
}

const BULK_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds from the object's arrival in S3 to the end of its indexing: seconds normally, days in a backlog. */
const LAG_SECONDS_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86_400];

/** The metrics of one process on a registry of their own (no global state; tests make their own). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const formats = Object.values(MessageFormat);
  const outcomes = Object.values(FileStatus);
  const flags = Object.values(EventFlag);

  const messagesReceived = new Counter({
    name: `${PREFIX}messages_received_total`,
    help: 'Messages received from the queue, by notification format.',
    labelNames: ['format'] as const,
    registers,
  });
  const files = new Counter({
    name: `${PREFIX}files_total`,
    help: 'Files finished, by outcome (indexed, skipped, retry, rejected).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const eventsIndexed = new Counter({
    name: `${PREFIX}events_indexed_total`,
    help: 'CloudTrail events accepted by OpenSearch.',
    registers,
  });
  const documentsRepaired = new Counter({
    name: `${PREFIX}documents_repaired_total`,
    help: 'Documents accepted after being repaired to fit the index mapping.',
    registers,
  });
  const eventsFlagged = new Counter({
    name: `${PREFIX}events_flagged_total`,
    help: 'Events the transform flagged (indexerFlags), by flag: folded-keys, event-time-outside-window, account-mismatch.',
    labelNames: ['flag'] as const,
    registers,
  });
  const failures = new Counter({
    name: `${PREFIX}failures_total`,
    help: 'Failed files or messages, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const bulkDuration = new Histogram({
    name: `${PREFIX}bulk_request_duration_seconds`,
    help: 'Duration of OpenSearch bulk requests, by status (ok: OpenSearch answered; failed: the request did not).',
    labelNames: ['status'] as const,
    buckets: BULK_SECONDS_BUCKETS,
    registers,
  });
  const ingestionLag = new Histogram({
    name: `${PREFIX}ingestion_lag_seconds`,
    help: 'Seconds from the S3 event time of a log file to the end of its indexing.',
    buckets: LAG_SECONDS_BUCKETS,
    registers,
  });
  const readResumes = new Counter({
    name: `${PREFIX}s3_read_resumes_total`,
    help: 'S3 object reads that broke off midway and were resumed from the byte they reached (Range + If-Match).',
    registers,
  });
  const pausedGauge = new Gauge({
    name: `${PREFIX}paused`,
    help: '1 while ingestion is paused for this reason (manual, domain-change, backpressure), else 0.',
    labelNames: ['reason'] as const,
    registers,
  });
  const filesInFlight = new Gauge({
    name: `${PREFIX}files_in_flight`,
    help: 'Files being read or indexed right now.',
    registers,
  });

  for (const format of formats) messagesReceived.labels({ format }).inc(0);
  for (const outcome of outcomes) files.labels({ outcome }).inc(0);
  for (const reason of FAILURE_CODES) failures.labels({ reason }).inc(0);
  for (const flag of flags) eventsFlagged.labels({ flag }).inc(0);
  for (const status of ['ok', 'failed'] as const) bulkDuration.zero({ status });
  for (const reason of PAUSE_REASONS) pausedGauge.labels({ reason }).set(0);
  filesInFlight.set(0);

  return {
    registry,
    messageReceived(format) {
      messagesReceived.labels({ format: allowed(formats, format, MessageFormat.Unrecognized) }).inc();
    },
    fileStarted() {
      filesInFlight.inc();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        filesInFlight.dec();
      };
    },
    fileDone(outcome, detail = {}) {
      files.labels({ outcome: allowed(outcomes, outcome, FileStatus.Retry) }).inc();
      if (detail.events) eventsIndexed.inc(detail.events);
      if (detail.repaired) documentsRepaired.inc(detail.repaired);
      if (detail.readResumes) readResumes.inc(detail.readResumes);
      for (const [flag, count] of Object.entries(detail.flagged ?? {})) {
        if (count) eventsFlagged.labels({ flag: allowed(flags, flag, EventFlag.FoldedKeys) }).inc(count);
      }
      if (outcome === FileStatus.Indexed && detail.lagSeconds !== undefined && detail.lagSeconds >= 0) {
        ingestionLag.observe(detail.lagSeconds);
      }
    },
    failure(reason) {
      failures.labels({ reason: allowed(FAILURE_CODES, reason, FailureCode.Other) }).inc();
    },
    bulkRequest(durationSeconds, status = 'ok') {
      bulkDuration.labels({ status: status === 'failed' ? 'failed' : 'ok' }).observe(durationSeconds);
    },
    paused(active) {
      for (const reason of PAUSE_REASONS) pausedGauge.labels({ reason }).set(active.includes(reason) ? 1 : 0);
    },
    watchSinkTotals(totals) {
      sinkTotalCounters(totals, registers);
    },
  };
}

/** Counters that follow the sink's running totals, read at each scrape. */
function sinkTotalCounters(totals: SinkTotals, registers: Registry[]): void {
  const described: Record<keyof SinkTotals, [name: string, help: string]> = {
    bulkRetries: ['bulk_retries_total', 'Bulk requests sent again after a transient failure.'],
    bulkSplits: ['bulk_splits_total', 'Bulk requests split in two after a 413 (request too large).'],
    documentsFailed: [
      'documents_failed_total',
      'Documents OpenSearch did not accept, after retries and repair.',
    ],
    // Apart from documents_failed_total: a shutdown cutting a delivery (or its backoff wait) short is
    // not the cluster refusing documents.
    documentsInterrupted: [
      'documents_interrupted_total',
      'Documents not delivered because shutdown cut their delivery short; their files are retried.',
    ],
    documentsConflicting: [
      'documents_conflicting_total',
      'Documents not written because their _id holds other content, indexed from another file.',
    ],
    documentsUnchanged: [
      'documents_unchanged_total',
      'Documents found already indexed with the same content (redeliveries), accepted without a write.',
    ],
    throttled: ['throttled_total', 'Bulk responses or items refused with 429 or rejected execution.'],
    clusterBlocks: [
      'cluster_blocks_total',
      'Bulk responses or items refused by a cluster or index write block.',
    ],
    indexesCreated: ['indexes_created_total', 'Indexes created by this process.'],
  };
  for (const [field, [name, help]] of Object.entries(described) as [keyof SinkTotals, [string, string]][]) {
    let reported = 0;
    new Counter({
      name: `${PREFIX}${name}`,
      help,
      registers,
      collect() {
        const current = totals[field];
        if (current > reported) {
          this.inc(current - reported);
          reported = current;
        }
      },
    });
  }
}
