import { randomUUID } from 'node:crypto';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createNotificationResources,
  localClients,
  type NotificationResources,
} from '../../scripts/stack/resources.ts';
import { stackEnv } from '../helpers/stack.ts';

const env = stackEnv();
const aws = { endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION };

describe('the local stack', () => {
  const suffix = randomUUID().slice(0, 8);
  const { s3, sqs } = localClients(aws);
  let resources: NotificationResources | undefined;

  afterAll(async () => {
    if (!resources) return;
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: resources.bucket,
        NotificationConfiguration: {},
      }),
    );
    await s3.send(new DeleteBucketCommand({ Bucket: resources.bucket })).catch(() => undefined);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.dlqUrl }));
  });

  it('announces a new object in the bucket on the queue', async () => {
    resources = await createNotificationResources(aws, {
      bucket: `smoke-${suffix}`,
      queue: `smoke-${suffix}`,
      dlq: `smoke-${suffix}-dlq`,
    });
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/31/smoke test.json.gz';
    await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: key, Body: 'x' }));

    // S3 first sends an s3:TestEvent when the notification is configured; wait past it.
    let body: {
      Records?: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
    } = {};
    for (let attempt = 0; attempt < 5 && !body.Records; attempt++) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: resources.queueUrl,
          WaitTimeSeconds: 5,
          MaxNumberOfMessages: 10,
        }),
      );
      for (const message of received.Messages ?? []) {
        const parsed = JSON.parse(message.Body ?? '{}') as typeof body;
        if (parsed.Records) body = parsed;
      }
    }
    expect(body.Records?.[0]?.eventName).toMatch(/^ObjectCreated:/);
    expect(body.Records?.[0]?.s3.bucket.name).toBe(resources.bucket);
    // S3 URL-encodes keys in notifications, with '+' for spaces.
    expect(decodeURIComponent(body.Records?.[0]?.s3.object.key.replaceAll('+', ' ') ?? '')).toBe(key);
    await s3.send(new DeleteObjectCommand({ Bucket: resources.bucket, Key: key }));
  });

  it('finds a document indexed in OpenSearch', async () => {
    const index = `smoke-${suffix}`;
    const put = await fetch(`${env.OPENSEARCH_URL}/${index}/_doc/1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventName: 'ConsoleLogin' }),
    });
    expect(put.status).toBe(201);
    const search = await fetch(`${env.OPENSEARCH_URL}/${index}/_search?q=eventName:ConsoleLogin`);
    const hits = ((await search.json()) as { hits: { total: { value: number } } }).hits.total.value;
    await fetch(`${env.OPENSEARCH_URL}/${index}`, { method: 'DELETE' });
    expect(hits).toBe(1);
  });
});
