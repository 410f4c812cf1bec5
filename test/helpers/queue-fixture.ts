import { randomUUID } from 'node:crypto';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  createNotificationResources,
  localClients,
  type NotificationResources,
} from '../../scripts/stack/resources.ts';
import type { CloudTrailFile } from './cloudtrail-files.ts';
import { deleteIndexes } from './opensearch.ts';
import type { StackEnv } from './stack.ts';

/**
 * A fresh bucket → queue → dead-letter queue, and an index prefix of its own, for one test file:
 * tests never see each other's messages or documents.
 */
export interface QueueFixture extends NotificationResources {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly indexPrefix: string;
  /** Environment for a worker process pointed at this fixture. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  upload(file: CloudTrailFile): Promise<void>;
  send(body: string): Promise<void>;
  /** Messages now in the dead-letter queue (received and left visible-again quickly). */
  deadLetters(): Promise<Message[]>;
  queueDepth(): Promise<{ visible: number; inFlight: number }>;
  cleanup(): Promise<void>;
}

export async function createQueueFixture(stack: StackEnv, name: string): Promise<QueueFixture> {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const aws = { endpoint: stack.AWS_ENDPOINT_URL, region: stack.AWS_REGION };
  const resources = await createNotificationResources(aws, {
    bucket: id,
    queue: id,
    dlq: `${id}-dlq`,
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 60,
  });
  const { s3, sqs } = localClients(aws);
  const indexPrefix = `t-${id}`;
  return {
    ...resources,
    s3,
    sqs,
    indexPrefix,
    workerEnv: (extra = {}) => ({
      OPENSEARCH_URL: stack.OPENSEARCH_URL,
      AWS_ENDPOINT_URL: stack.AWS_ENDPOINT_URL,
      AWS_REGION: stack.AWS_REGION,
      AWS_ACCESS_KEY_ID: stack.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: stack.AWS_SECRET_ACCESS_KEY,
      QUEUE_URL: resources.queueUrl,
      DLQ_URL: resources.dlqUrl,
      INDEX_PREFIX: indexPrefix,
      HEALTH_PORT: '0',
      VISIBILITY_TIMEOUT_SECONDS: '60',
      HEARTBEAT_SECONDS: '10',
      RETRY_DELAY_SECONDS: '1',
      SHUTDOWN_GRACE_SECONDS: '20',
      PAUSE_PARAMETER_NAME: `/${id}/paused`,
      LOG_LEVEL: 'debug',
      ...extra,
    }),
    async upload(file) {
      await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: file.key, Body: file.body }));
    },
    async send(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: body }));
    },
    async deadLetters() {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: resources.dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      return received.Messages ?? [];
    },
    async queueDepth() {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
    async cleanup() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: resources.bucket }));
      if (listed.Contents?.length) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: resources.bucket,
            Delete: { Objects: listed.Contents.map((object) => ({ Key: object.Key as string })) },
          }),
        );
      }
      await s3.send(new DeleteBucketCommand({ Bucket: resources.bucket })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.queueUrl }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: resources.dlqUrl }));
      await deleteIndexes(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
      s3.destroy();
      sqs.destroy();
    },
  };
}
