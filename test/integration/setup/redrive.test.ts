import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();

describe('redrive against real LocalStack', () => {
  let fixture: QueueFixture;
  let queueName: string;
  let dlqName: string;

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'redrive');
    queueName = fixture.queueUrl.split('/').at(-1) ?? '';
    dlqName = fixture.dlqUrl.split('/').at(-1) ?? '';
    // The bucket's notification set-up announces itself with an s3:TestEvent: not ours to count.
    await drain(fixture.queueUrl);
  });

  afterAll(async () => {
    await fixture.cleanup();
  });

  async function deadLetter(
    body: string,
    reason?: string,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const attributes = Object.fromEntries(
      Object.entries({
        ...(reason ? { reason, sourceMessageId: 'm-1', sourceQueueUrl: fixture.queueUrl } : {}),
        ...extra,
      }).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    await fixture.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.dlqUrl,
        MessageBody: body,
        ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      }),
    );
  }

  /** Every message now in a queue, each received once and deleted. */
  async function drain(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (let empty = 0; empty < 2; ) {
      const { Messages = [] } = await fixture.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      for (const message of Messages) {
        messages.push(message);
        await fixture.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    return messages;
  }

  async function depth(url: string): Promise<number> {
    const { Attributes = {} } = await fixture.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible)
    );
  }

  async function redrive(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number | string; output: string }> {
    const process = startCli(['redrive', ...args], env);
    return { code: await process.exited, output: process.output() };
  }

  it('moves every dead letter back to the queue exactly once, says how many and why they had failed', async () => {
    const bodies = Array.from({ length: 7 }, (_, n) =>
      JSON.stringify({ Records: [{ s3: { object: { key: `k${n}` } } }] }),
    );
    for (const [n, body] of bodies.entries()) {
      if (n < 4) await deadLetter(body, 'object-missing: NoSuchKey');
      else if (n < 6) await deadLetter(body, 'invalid-json: unexpected end at byte 12', { traceId: `t${n}` });
      else await deadLetter(body);
    }

    const run = await redrive([], fixture.workerEnv());
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Moved 7 messages from ${dlqName} back to ${queueName}.`);
    expect(run.output).toContain('     4  object-missing: NoSuchKey');
    expect(run.output).toContain('     2  invalid-json: unexpected end at byte 12');
    expect(run.output).toContain('     1  no reason recorded (moved there by the queue redrive policy)');

    const moved = await drain(fixture.queueUrl);
    expect(moved.map((message) => message.Body).sort()).toEqual([...bodies].sort());
    // The worker's record of the failure stays behind; the message's own attributes travel with it.
    for (const message of moved) expect(message.MessageAttributes?.reason).toBeUndefined();
    expect(
      moved
        .filter((message) => message.MessageAttributes?.traceId)
        .map((m) => m.MessageAttributes?.traceId?.StringValue)
        .sort(),
    ).toEqual(['t4', 't5']);
    expect(await depth(fixture.dlqUrl)).toBe(0);
  });

  it('stops at --max, finds the dead-letter queue through the redrive policy, and moves the rest next time', async () => {
    const bodies = Array.from({ length: 5 }, (_, n) => `{"max":${n}}`);
    for (const body of bodies) await deadLetter(body, 'throttled');
    const env = fixture.workerEnv();
    delete env.DLQ_URL;

    const first = await redrive(['--max', '3'], env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`Moved 3 messages from ${dlqName} back to ${queueName}.`);
    expect(first.output).toContain(`Stopped at --max 3; about 2 messages remain in ${dlqName}.`);

    const second = await redrive([], env);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain(`Moved 2 messages from ${dlqName} back to ${queueName}.`);

    expect((await drain(fixture.queueUrl)).map((message) => message.Body).sort()).toEqual(bodies);
    expect(await depth(fixture.dlqUrl)).toBe(0);
  });

  it('says so when the dead-letter queue is empty', async () => {
    const run = await redrive([], fixture.workerEnv());
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`The dead-letter queue ${dlqName} is empty: nothing to move.`);
  });

  it('refuses a --max that is not a whole number of 1 or more', async () => {
    const run = await redrive(['--max', 'all'], fixture.workerEnv());
    expect(run.code).toBe(2);
    expect(run.output).toContain('error: --max must be a whole number of messages, 1 or more (got "all").');
  });
});
