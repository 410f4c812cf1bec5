import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface AwsEndpoint {
  endpoint: string;
  region: string;
}

export interface NotificationResources {
  bucket: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
}

/** Clients for the local stack: static dummy credentials, path-style S3 (no DNS for bucket hosts). */
export function localClients(aws: AwsEndpoint): { s3: S3Client; sqs: SQSClient } {
  const common = {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), sqs: new SQSClient(common) };
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

/**
 * The shape the service runs in: a CloudTrail bucket whose new `AWSLogs/` objects are announced on a
 * queue, with a dead-letter queue behind it. Idempotent: existing resources are reused.
 */
export async function createNotificationResources(
  aws: AwsEndpoint,
  names: {
    bucket: string;
    queue: string;
    dlq: string;
    maxReceiveCount?: number;
    visibilityTimeoutSeconds?: number;
  },
): Promise<NotificationResources> {
  const { s3, sqs } = localClients(aws);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: names.bucket })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
    });
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: names.dlq, Attributes: { MessageRetentionPeriod: '1209600' } }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: names.queue }));
    const queueUrl = queue.QueueUrl as string;
    const arn = await queueArn(sqs, queueUrl);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          MessageRetentionPeriod: '1209600',
          VisibilityTimeout: String(names.visibilityTimeoutSeconds ?? 300),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: await queueArn(sqs, dlqUrl),
            maxReceiveCount: names.maxReceiveCount ?? 5,
          }),
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 's3.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: arn,
                Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${names.bucket}` } },
              },
            ],
          }),
        },
      }),
    );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: names.bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: arn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'AWSLogs/' }] } },
            },
          ],
        },
      }),
    );
    return { bucket: names.bucket, queueUrl, queueArn: arn, dlqUrl };
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}
