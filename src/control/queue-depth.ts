import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { describeError } from '../core/describe-error.ts';
import { OperatorError } from '../core/operator-error.ts';

/** A queue's message counts as SQS reports them (approximate, as SQS says). */
export interface QueueDepth {
  readonly url: string;
  readonly name: string;
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and neither deleted nor visible again yet: being processed, or waiting out a retry delay. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed yet. */
  readonly delayed: number;
  /** The queue its redrive policy moves failed messages to, when it has one. */
  readonly deadLetterTargetArn?: string;
}

/** The queue could not be inspected; the message is one sentence naming it. */
export class QueueDepthError extends OperatorError {
  override readonly name: string = 'QueueDepthError';
  readonly queueUrl: string;

  constructor(message: string, queueUrl: string, cause?: unknown) {
    super(message, { cause });
    this.queueUrl = queueUrl;
  }
}

/** The queue name is the last path segment of a queue URL, on AWS and on LocalStack alike. */
export function queueNameOf(url: string): string {
  return url.replace(/\/+$/, '').split('/').at(-1) ?? url;
}

function count(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

export async function readQueueDepth(
  sqs: Pick<SQSClient, 'send'>,
  url: string,
  role = 'queue',
): Promise<QueueDepth> {
  let attributes: Partial<Record<string, string>>;
  try {
    const output = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
          'RedrivePolicy',
        ],
      }),
    );
    attributes = output.Attributes ?? {};
  } catch (error) {
    throw new QueueDepthError(`Cannot read the ${role} ${url}: ${describeError(error)}.`, url, error);
  }
  const target = deadLetterTargetOf(attributes.RedrivePolicy);
  return {
    url,
    name: queueNameOf(url),
    visible: count(attributes.ApproximateNumberOfMessages),
    inFlight: count(attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: count(attributes.ApproximateNumberOfMessagesDelayed),
    ...(target ? { deadLetterTargetArn: target } : {}),
  };
}

function deadLetterTargetOf(redrivePolicy: string | undefined): string | undefined {
  if (!redrivePolicy) return undefined;
  try {
    const target = (JSON.parse(redrivePolicy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof target === 'string' ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of a queue given its ARN (`arn:aws:sqs:region:account:name`), as its redrive policy names it. */
export async function queueUrlOfArn(sqs: Pick<SQSClient, 'send'>, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  if (!account || !name)
    throw new QueueDepthError(`Cannot find the queue ${arn}: not an SQS queue ARN.`, arn);
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    if (!QueueUrl) throw new Error('the answer holds no QueueUrl');
    return QueueUrl;
  } catch (error) {
    throw new QueueDepthError(`Cannot find the queue ${arn}: ${describeError(error)}.`, arn, error);
  }
}
