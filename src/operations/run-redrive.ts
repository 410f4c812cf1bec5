import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueNameOf, queueUrlOfArn, readQueueDepth } from '../control/queue-depth.ts';
import type { CommandIo } from '../core/command-io.ts';
import { describeError } from '../core/describe-error.ts';
import { ExitCode, OperatorError, UsageError } from '../core/operator-error.ts';
import { RedriveError, type RedriveResult, redriveMessages } from './redrive-messages.ts';

export interface RedriveFlags {
  readonly max?: string;
}

function report(result: RedriveResult, from: string, to: string, io: CommandIo): void {
  io.stdout.write(
    `Moved ${result.moved} message${result.moved === 1 ? '' : 's'} from ${from} back to ${to}.\n`,
  );
  const reasons = [...result.reasons].sort((a, b) => b[1] - a[1]);
  for (const [reason, count] of reasons.slice(0, 10))
    io.stdout.write(`  ${String(count).padStart(6)}  ${reason}\n`);
  if (reasons.length > 10) io.stdout.write(`  ... and ${reasons.length - 10} other reasons\n`);
  if (result.sentNotDeleted > 0) {
    io.stderr.write(
      `warning: ${result.sentNotDeleted} messages were sent to ${to} but could not be deleted from ${from}; ` +
        'they reappear there and a later redrive sends them again (harmless: events are indexed by eventID).\n',
    );
  }
}

export async function runRedrive(
  flags: RedriveFlags,
  sqs: Pick<SQSClient, 'send'>,
  queues: { readonly queueUrl: string; readonly dlqUrl: string | undefined },
  io: CommandIo,
): Promise<number> {
  const max = flags.max === undefined ? undefined : Number(flags.max);
  if (max !== undefined && (!/^\s*\d+\s*$/.test(flags.max ?? '') || max < 1)) {
    throw new UsageError(
      `--max must be a whole number of messages, 1 or more (got ${JSON.stringify(flags.max)}).`,
    );
  }
  let dlqUrl = queues.dlqUrl;
  if (!dlqUrl) {
    const target = (await readQueueDepth(sqs, queues.queueUrl)).deadLetterTargetArn;
    if (!target) {
      throw new UsageError(
        `no dead-letter queue to redrive from: set DLQ_URL, or give ${queues.queueUrl} a redrive policy.`,
      );
    }
    dlqUrl = await queueUrlOfArn(sqs, target);
  }
  const from = queueNameOf(dlqUrl);
  const to = queueNameOf(queues.queueUrl);
  let result: RedriveResult;
  try {
    result = await redriveMessages(sqs, { from: dlqUrl, to: queues.queueUrl, ...(max ? { max } : {}) });
  } catch (error) {
    if (error instanceof RedriveError) {
      report(error.result, from, to, io);
      throw new OperatorError(`sending to ${queues.queueUrl} failed: ${describeError(error.cause)}.`, {
        cause: error,
      });
    }
    throw new OperatorError(
      `cannot move messages from ${dlqUrl} to ${queues.queueUrl}: ${describeError(error)}.`,
      { cause: error },
    );
  }
  if (result.moved === 0 && result.sentNotDeleted === 0) {
    io.stdout.write(`The dead-letter queue ${from} is empty: nothing to move.\n`);
    return ExitCode.Ok;
  }
  report(result, from, to, io);
  if (max !== undefined && result.moved + result.sentNotDeleted >= max) {
    const left = await readQueueDepth(sqs, dlqUrl, 'dead-letter queue');
    io.stdout.write(`Stopped at --max ${max}; about ${left.visible} messages remain in ${from}.\n`);
  }
  return ExitCode.Ok;
}
