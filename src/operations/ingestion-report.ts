import { type BackfillRecord, type BackfillRecordStore, notYetEnqueued } from '../control/backfill-record.ts';
import { describePause } from '../control/describe-pause.ts';
import type {
  IngestionStatus,
  QueueStatus,
  StatusSettings,
  StatusSources,
} from '../control/ingestion-status.ts';
import { collectIngestionStatus } from '../control/ingestion-status.ts';
import type { CommandIo } from '../core/command-io.ts';
import { formatDuration } from '../core/format-duration.ts';
import { ExitCode } from '../core/operator-error.ts';

const LABEL_WIDTH = 16;

function line(label: string, value: string): string {
  return `${label.padEnd(LABEL_WIDTH)}${value}\n`;
}

function oldestLine(status: IngestionStatus, queue: QueueStatus, now: Date): string {
  if (!status.oldestMessageAge.available)
    return line('  oldest', `unavailable (${status.oldestMessageAge.reason})`);
  const age = queue.oldestMessage;
  if (age?.seconds === undefined || !age.at) {
    return line('  oldest', 'no CloudWatch value in the last 15 min (SQS reports none for an idle queue)');
  }
  const lag = formatDuration((now.getTime() - age.at.getTime()) / 1000);
  return line('  oldest', `${formatDuration(age.seconds)} (CloudWatch, ${lag} ago)`);
}

/** The status as an operator reads it. */
export function formatStatus(status: IngestionStatus, now: Date = new Date()): string {
  let text = '';
  const pause = status.pause;
  if (!pause) text += line('Ingestion', 'unknown: the pause switch could not be read');
  else if (pause.paused) {
    const since = pause.since ? ` (${formatDuration((now.getTime() - pause.since.getTime()) / 1000)})` : '';
    text += line('Ingestion', `PAUSED ${describePause(pause)}${since}`);
  } else text += line('Ingestion', 'receiving (not paused)');
  text += line(
    '  pause switch',
    `SSM parameter ${status.pauseParameter}${pause && !pause.exists ? ' (not set)' : ''}`,
  );

  if (status.queue) {
    text += line('Queue', status.queue.name);
    text += line(
      '  waiting',
      `${status.queue.visible}${status.queue.delayed ? ` (+ ${status.queue.delayed} delayed)` : ''}`,
    );
    text += line('  in flight', `${status.queue.inFlight} (received, not yet deleted or visible again)`);
    text += oldestLine(status, status.queue, now);
  }
  if (status.deadLetterQueue) {
    text += line('Dead letters', `${status.deadLetterQueue.name} (from ${status.deadLetterQueueFrom})`);
    text += line('  messages', String(status.deadLetterQueue.visible + status.deadLetterQueue.inFlight));
    text += oldestLine(status, status.deadLetterQueue, now);
  } else if (!status.deadLetterQueueFrom) {
    text += line('Dead letters', 'none configured (set DLQ_URL, or give the queue a redrive policy)');
  }
  if (status.domain) {
    const domain = status.domain;
    const state =
      domain.error !== undefined
        ? `unknown (${domain.error})`
        : domain.changing
          ? `${domain.state}: being changed, workers pause themselves until it ends`
          : `${domain.state}: workers do not pause for it`;
    text += line('Domain', `${domain.name} ${state}`);
  }
  for (const note of status.notes) text += `Note: ${note}\n`;
  return text;
}

/** The status for machines (`--json`): stable keys, ISO times, null for what is unknown. */
export function statusJson(status: IngestionStatus): unknown {
  const queue = (depth: QueueStatus | undefined) =>
    depth
      ? {
          url: depth.url,
          name: depth.name,
          visible: depth.visible,
          inFlight: depth.inFlight,
          delayed: depth.delayed,
          oldestMessageAgeSeconds: depth.oldestMessage?.seconds ?? null,
          oldestMessageAgeAt: depth.oldestMessage?.at?.toISOString() ?? null,
        }
      : null;
  return {
    paused: status.pause?.paused ?? null,
    pause: status.pause
      ? {
          parameter: status.pauseParameter,
          set: status.pause.exists,
          reason: status.pause.reason ?? null,
          by: status.pause.by ?? null,
          since: status.pause.since?.toISOString() ?? null,
        }
      : null,
    queue: queue(status.queue),
    deadLetterQueue: status.deadLetterQueue
      ? { ...queue(status.deadLetterQueue), from: status.deadLetterQueueFrom }
      : null,
    oldestMessageAge: status.oldestMessageAge,
    domain: status.domain ?? null,
    notes: status.notes,
    errors: status.errors,
  };
}

/** How much of a `backfill --via-queue` remains: files not yet enqueued, and the queue's backlog. */
export function formatBackfill(
  record: BackfillRecord | undefined,
  status: IngestionStatus,
  now: Date = new Date(),
): string {
  if (!record) return '';
  const ago = formatDuration((now.getTime() - Date.parse(record.updatedAt)) / 1000);
  let text = line('Backfill', `via queue from ${record.source}: ${record.state} (updated ${ago} ago)`);
  text += line(
    '  enqueued',
    `${record.enqueued} of ${record.listed}${record.listingComplete ? '' : '+ (still listing)'} files${record.failed ? `, ${record.failed} failed` : ''}`,
  );
  const backlog = status.queue
    ? status.queue.visible + status.queue.inFlight + status.queue.delayed
    : undefined;
  const toEnqueue = notYetEnqueued(record);
  text += line(
    '  remaining',
    backlog === undefined
      ? `${toEnqueue} files to enqueue; the queue's depth is unknown`
      : `about ${toEnqueue + backlog} files: ${toEnqueue} to enqueue + ${backlog} in the queue (live notifications included)`,
  );
  return text;
}

function backfillJson(record: BackfillRecord | undefined, status: IngestionStatus): unknown {
  if (!record) return null;
  const backlog = status.queue ? status.queue.visible + status.queue.inFlight + status.queue.delayed : null;
  return { ...record, notYetEnqueued: notYetEnqueued(record), queueBacklog: backlog };
}

export async function runStatus(
  options: { readonly json?: boolean },
  sources: StatusSources & { readonly backfill?: Pick<BackfillRecordStore, 'read'> },
  settings: StatusSettings,
  io: CommandIo,
): Promise<number> {
  const status = await collectIngestionStatus(sources, settings);
  let backfill: BackfillRecord | undefined;
  const errors = [...status.errors];
  if (sources.backfill) {
    backfill = await sources.backfill.read().catch((error: unknown) => {
      errors.push((error as Error).message);
      return undefined;
    });
  }
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ ...(statusJson(status) as object), backfill: backfillJson(backfill, status) }, null, 2)}\n`
      : formatStatus(status, settings.now) + formatBackfill(backfill, status, settings.now),
  );
  for (const error of errors) io.stderr.write(`error: ${error}\n`);
  return errors.length > 0 ? ExitCode.Failed : ExitCode.Ok;
}
