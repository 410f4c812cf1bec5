import { type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS message attributes are limited to 256 KiB with the body; a reason is a sentence or a few. */
const MAX_REASON_CHARS = 2000;

/**
 * Moves a message that can never succeed to the dead-letter queue at once, body intact, with the
 * reason and its origin as message attributes, so `redrive` can send it back once the cause is fixed.
 * The caller deletes the original only after this resolves.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  dlqUrl: string,
  message: Message,
  reason: string,
  sourceQueueUrl: string,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: message.Body ?? '',
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_CHARS) },
        sourceMessageId: { DataType: 'String', StringValue: message.MessageId ?? 'unknown' },
        sourceQueueUrl: { DataType: 'String', StringValue: sourceQueueUrl },
      },
    }),
  );
}
