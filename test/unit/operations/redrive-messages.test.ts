import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { RedriveError, redriveMessages } from '../../../src/operations/redrive-messages.ts';

/** A scripted SQS: the dead-letter queue holds `messages`; real queue behaviour is covered by the integration test. */
function fakeSqs(messages: Message[], failSendAt?: number) {
  const waiting = [...messages];
  const sent: SendMessageCommand['input'][] = [];
  const deleted: string[] = [];
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        return { Messages: waiting.splice(0, command.input.MaxNumberOfMessages ?? 1) };
      }
      if (command instanceof SendMessageCommand) {
        if (sent.length === failSendAt)
          throw Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied' });
        sent.push(command.input);
        return {};
      }
      if (command instanceof DeleteMessageBatchCommand) {
        deleted.push(...(command.input.Entries ?? []).map((entry) => entry.ReceiptHandle ?? ''));
        return { Failed: [] };
      }
      throw new Error('unexpected command');
    },
  } as unknown as Pick<SQSClient, 'send'>;
  return { sqs, sent, deleted };
}

const message = (n: number, reason?: string): Message => ({
  MessageId: `m${n}`,
  ReceiptHandle: `r${n}`,
  Body: `{"n":${n}}`,
  MessageAttributes: {
    ...(reason
      ? {
          reason: { DataType: 'String', StringValue: reason },
          sourceMessageId: { DataType: 'String', StringValue: 'x' },
          sourceQueueUrl: { DataType: 'String', StringValue: 'q' },
        }
      : {}),
    traceId: { DataType: 'String', StringValue: `t${n}` },
  },
});

describe('redriveMessages', () => {
  it('sends each message to the queue without the dead-lettering attributes, then deletes it from the DLQ', async () => {
    const { sqs, sent, deleted } = fakeSqs([
      message(1, 'object-missing'),
      message(2, 'object-missing'),
      message(3),
    ]);
    const result = await redriveMessages(sqs, { from: 'dlq', to: 'queue' });
    expect(result.moved).toBe(3);
    expect(result.sentNotDeleted).toBe(0);
    expect([...result.reasons]).toEqual([
      ['object-missing', 2],
      ['no reason recorded (moved there by the queue redrive policy)', 1],
    ]);
    expect(
      sent.map((input) => [input.QueueUrl, input.MessageBody, Object.keys(input.MessageAttributes ?? {})]),
    ).toEqual([
      ['queue', '{"n":1}', ['traceId']],
      ['queue', '{"n":2}', ['traceId']],
      ['queue', '{"n":3}', ['traceId']],
    ]);
    expect(deleted).toEqual(['r1', 'r2', 'r3']);
  });

  it('stops at max, asking for no more than it may move', async () => {
    const { sqs, sent } = fakeSqs(Array.from({ length: 25 }, (_, n) => message(n)));
    const result = await redriveMessages(sqs, { from: 'dlq', to: 'queue', max: 12 });
    expect(result.moved).toBe(12);
    expect(sent).toHaveLength(12);
  });

  it('when a send fails, still deletes what was sent, so nothing goes twice, and says how far it got', async () => {
    const { sqs, deleted } = fakeSqs([message(1), message(2), message(3)], 2);
    const failure = await redriveMessages(sqs, { from: 'dlq', to: 'queue' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedriveError);
    expect((failure as RedriveError).result.moved).toBe(2);
    expect(deleted).toEqual(['r1', 'r2']);
  });
});
