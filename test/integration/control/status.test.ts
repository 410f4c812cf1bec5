import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectIngestionStatus } from '../../../src/control/ingestion-status.ts';
import { createPauseSwitch } from '../../../src/control/pause-switch.ts';
import { stackEnv } from '../../helpers/stack.ts';

const env = stackEnv();
const common = {
  endpoint: env.AWS_ENDPOINT_URL,
  region: env.AWS_REGION,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
};
const sqs = new SQSClient(common);
const ssm = new SSMClient(common);

async function send(queueUrl: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 10) {
    const entries = Array.from({ length: Math.min(10, count - start) }, (_, index) => ({
      Id: String(start + index),
      MessageBody: JSON.stringify({ n: start + index }),
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}

describe('status against LocalStack SQS and SSM', () => {
  const suffix = randomUUID().slice(0, 8);
  const parameter = `/cloudtrail-indexer-test/${suffix}/paused`;
  const pauseSwitch = createPauseSwitch(ssm, parameter);
  let queueUrl = '';
  let dlqUrl = '';

  beforeAll(async () => {
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `status-${suffix}-dlq` })))
      .QueueUrl as string;
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `status-${suffix}`,
          Attributes: {
            VisibilityTimeout: '300',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
          },
        }),
      )
    ).QueueUrl as string;
    await send(queueUrl, 13);
    // Four received and not deleted: in flight for the visibility timeout.
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 4 }),
    );
    expect(received.Messages).toHaveLength(4);
    await send(dlqUrl, 2);
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })).catch(() => undefined);
    await ssm.send(new DeleteParameterCommand({ Name: parameter })).catch(() => undefined);
  });

  it('counts messages waiting, in flight and dead-lettered', async () => {
    const status = await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl, dlqUrl });
    expect(status.errors).toEqual([]);
    expect(status.queue).toMatchObject({ name: `status-${suffix}`, visible: 9, inFlight: 4, delayed: 0 });
    expect(status.deadLetterQueue).toMatchObject({ name: `status-${suffix}-dlq`, visible: 2, inFlight: 0 });
    expect(status.deadLetterQueueFrom).toBe('DLQ_URL');
    expect(status.notes).toEqual([]);
    expect(status.oldestMessageAge).toEqual({ available: false, reason: 'CloudWatch not consulted' });
  });

  it('finds the dead-letter queue through the redrive policy when DLQ_URL is not set', async () => {
    const status = await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl });
    expect(status.deadLetterQueueFrom).toBe('redrive policy');
    expect(status.deadLetterQueue).toMatchObject({ name: `status-${suffix}-dlq`, visible: 2 });
  });

  it('notes a DLQ_URL that is not the redrive target', async () => {
    const status = await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl, dlqUrl: queueUrl });
    expect(status.notes).toEqual([
      expect.stringContaining(`DLQ_URL names the queue status-${suffix}, but the redrive policy`),
    ]);
  });

  it('follows pause and resume', async () => {
    expect((await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl })).pause).toEqual({
      paused: false,
      exists: false,
    });
    await pauseSwitch.set(true, { reason: 'maintenance', by: 'test' });
    expect((await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl })).pause).toMatchObject({
      paused: true,
      reason: 'maintenance',
      by: 'test',
    });
    await pauseSwitch.set(false, { by: 'test' });
    expect((await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl })).pause?.paused).toBe(false);
  });

  it('reports a missing queue as an error and still shows the pause state', async () => {
    const status = await collectIngestionStatus({ pauseSwitch, sqs }, { queueUrl: `${queueUrl}-missing` });
    expect(status.errors).toEqual([
      `Cannot read the queue ${queueUrl}-missing: QueueDoesNotExist: The specified queue does not exist.`,
    ]);
    expect(status.pause?.paused).toBe(false);
    expect(status.queue).toBeUndefined();
  });
});
