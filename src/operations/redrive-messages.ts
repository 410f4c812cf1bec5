import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Attributes the worker adds when it dead-letters a message: they describe that failure, not the message. */
const DEAD_LETTER_ATTRIBUTES = new Set(['reason', 'sourceMessageId', 'sourceQueueUrl']);

export interface RedriveOptions {
  readonly from: string;
  readonly to: string;
  /** Stop after this many messages; all of them when undefined. */
  readonly max?: number;
  /** Long enough to send and delete one batch; a message we fail to handle reappears in the DLQ after it. */
  readonly visibilityTimeoutSeconds?: number;
  /** Called after each batch, for progress. */
  readonly onBatch?: (moved: number) => void;
}

export interface RedriveResult {
  /** Sent to the queue and deleted from the dead-letter queue. */
  readonly moved: number;
  /** Sent but not deleted: they return to the DLQ after the visibility timeout and a second redrive sends them again. */
  readonly sentNotDeleted: number;
  /** The reasons the worker recorded, with how many of the moved messages had each. */
  readonly reasons: ReadonlyMap<string, number>;
}

/** Sending to the queue failed part-way; `result` says what was moved before. */
export class RedriveError extends Error {
  override readonly name = 'RedriveError';
  readonly result: RedriveResult;

  constructor(result: RedriveResult, cause: unknown) {
    super('sending a message to the queue failed', { cause });
    this.result = result;
  }
}

const NO_REASON = 'no reason recorded (moved there by the queue redrive policy)';

function keptAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(message.MessageAttributes ?? {}).filter(
    ([name]) => !DEAD_LETTER_ATTRIBUTES.has(name),
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Moves messages from the dead-letter queue back to the notification queue: each is sent first and
 * deleted from the DLQ only after the send succeeded, so none is lost; one whose delete fails may be
 * sent twice by a later redrive, which is harmless (`_id = eventID`). Stops when the DLQ answers a
 * long poll with nothing, or after `max` messages.
 */
export async function redriveMessages(
  sqs: Pick<SQSClient, 'send'>,
  options: RedriveOptions,
): Promise<RedriveResult> {
  let moved = 0;
  let sentNotDeleted = 0;
  const reasons = new Map<string, number>();
  const max = options.max ?? Number.POSITIVE_INFINITY;
  while (moved + sentNotDeleted < max) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.from,
        MaxNumberOfMessages: Math.min(10, max - moved - sentNotDeleted),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (messages.length === 0) break;
    const sent: Message[] = [];
    let sendFailure: unknown;
    for (const message of messages) {
      const attributes = keptAttributes(message);
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: options.to,
            MessageBody: message.Body ?? '',
            ...(attributes ? { MessageAttributes: attributes } : {}),
          }),
        );
      } catch (error) {
        sendFailure = error;
        break;
      }
      sent.push(message);
      const reason = message.MessageAttributes?.reason?.StringValue ?? NO_REASON;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    // Whatever was sent leaves the DLQ now, even if a later send failed: it must not be sent twice.
    if (sent.length > 0) {
      const { Failed: failed = [] } = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.from,
          Entries: sent.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      moved += sent.length - failed.length;
      sentNotDeleted += failed.length;
    }
    if (sendFailure !== undefined) throw new RedriveError({ moved, sentNotDeleted, reasons }, sendFailure);
    options.onBatch?.(moved);
  }
  return { moved, sentNotDeleted, reasons };
}
