import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from 'pino';
import {
  type BackfillRecord,
  backfillParameterName,
  createBackfillRecordStore,
} from '../control/backfill-record.ts';
import { readQueueDepth } from '../control/queue-depth.ts';
import type { Checkpoint } from './checkpoint.ts';
import { countSelection } from './count-selection.ts';
import { type EnqueueSummary, enqueueBackfill } from './enqueue-backfill.ts';
import { createProgress } from './progress.ts';
import type { ListingCount } from './run-backfill.ts';
import { s3EventNotification } from './s3-event-notification.ts';
import type { SelectedFile, SelectedFiles } from './selected-files.ts';
import { formatFailures } from './selection-cursor.ts';

export interface ViaQueueOptions {
  readonly files: SelectedFiles;
  readonly work: AsyncIterable<SelectedFile>;
  readonly checkpoint: Checkpoint;
  readonly s3: S3Client;
  /** The queue's client; destroyed at the end. */
  readonly sqs: SQSClient;
  /** Where the backfill record that `status` reads is kept (beside the pause switch). */
  readonly ssm: SSMClient;
  readonly source: string;
  readonly queueUrl: string;
  readonly pauseParameterName: string;
  readonly maxBacklog: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly stopTaking: AbortSignal;
  /** Progress lines for a terminal (else log lines). */
  readonly tty: boolean;
}

/** Seconds between updates of the backfill record that `status` reads. */
const RECORD_INTERVAL_MS = 10_000;

/** `backfill --via-queue`: the selection goes to the worker fleet's queue; returns the summary. */
export async function backfillViaQueue(options: ViaQueueOptions): Promise<EnqueueSummary> {
  const sqs = options.sqs;
  const records = createBackfillRecordStore(options.ssm, backfillParameterName(options.pauseParameterName));
  const region = await options.s3.config.region();
  const listingCount: ListingCount = { listed: 0, alreadyDone: 0, complete: false };
  const stopCounting = new AbortController();
  void countSelection(
    options.files(),
    (name) => options.checkpoint.has(name),
    listingCount,
    stopCounting.signal,
  ).catch((error: unknown) => {
    if (!stopCounting.signal.aborted)
      options.logger.warn({ err: error }, 'the counting listing failed: no totals or ETA');
  });

  const startedAt = new Date().toISOString();
  let enqueuedNow = 0;
  let failedNow = 0;
  const record = (state: BackfillRecord['state']): BackfillRecord => ({
    source: options.source,
    queueUrl: options.queueUrl,
    startedAt,
    updatedAt: new Date().toISOString(),
    listed: listingCount.listed,
    listingComplete: listingCount.complete,
    enqueued: listingCount.alreadyDone + enqueuedNow,
    failed: failedNow,
    state,
  });
  const writeRecord = (state: BackfillRecord['state']): Promise<void> =>
    records
      .write(record(state))
      .catch((error: unknown) =>
        options.logger.warn(
          { err: error, parameter: records.parameterName },
          'cannot write the backfill record: status will not show this backfill',
        ),
      );
  await writeRecord('running');
  const timer = setInterval(() => void writeRecord('running'), RECORD_INTERVAL_MS);
  timer.unref();
  const progress = createProgress({ tty: options.tty, logger: options.logger });
  let summary: EnqueueSummary;
  try {
    summary = await enqueueBackfill(options.work, {
      async sendBatch(entries) {
        const { Failed } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: entries.map((entry) => ({ Id: entry.id, MessageBody: entry.body })),
          }),
        );
        return (Failed ?? []).map((failure) => ({
          id: failure.Id ?? '',
          reason: `${failure.Code ?? 'error'}: ${failure.Message ?? 'no message'}`,
          retry: !failure.SenderFault,
        }));
      },
      async backlog() {
        const depth = await readQueueDepth(sqs, options.queueUrl);
        return depth.visible + depth.inFlight + depth.delayed;
      },
      notification: (file) =>
        s3EventNotification(file.object as NonNullable<SelectedFile['object']>, { region }),
      maxBacklog: options.maxBacklog,
      checkpoint: options.checkpoint,
      concurrency: options.concurrency,
      listing: listingCount,
      progress: {
        update(counts) {
          enqueuedNow = counts.done - counts.failed;
          failedNow = counts.failed;
          progress.update(counts);
        },
        stop: () => progress.stop(),
      },
      stopTaking: options.stopTaking,
    });
  } finally {
    clearInterval(timer);
    stopCounting.abort();
  }
  enqueuedNow = summary.enqueued;
  failedNow = summary.failedCount;
  const finished = !summary.interrupted && !summary.checkpointError && !summary.listingError;
  if (finished) {
    listingCount.listed = summary.selected;
    listingCount.alreadyDone = summary.alreadyDone;
    listingCount.complete = true;
  }
  await writeRecord(finished && summary.failedCount === 0 ? 'done' : 'stopped');
  sqs.destroy();
  return summary;
}

export function formatEnqueueSummary(
  summary: EnqueueSummary,
  checkpointPath: string,
  queueUrl: string,
): string {
  const state =
    summary.checkpointError || summary.listingError
      ? 'stopped'
      : summary.interrupted
        ? 'interrupted'
        : 'done';
  const lines = [
    `backfill via queue ${state}: ${summary.selected} files selected, ${summary.alreadyDone} already enqueued, ${summary.enqueued} enqueued, ${summary.failedCount} failed`,
    `  ${(summary.durationMs / 1000).toFixed(1)} s, ${(summary.waitedMs / 1000).toFixed(1)} s of it waiting for the backlog to fall`,
    `  queue ${queueUrl}: the workers index them; \`status\` shows how much remains`,
    `  checkpoint ${checkpointPath}`,
  ];
  if (summary.failedCount > 0) {
    lines.push('  files not enqueued (rerun the same command to retry only these):');
    lines.push(...formatFailures(summary));
  }
  return lines.join('\n');
}
