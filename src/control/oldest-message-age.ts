import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describeError } from '../core/describe-error.ts';

/**
 * SQS's API has no "age of the oldest message"; CloudWatch has it, as the AWS/SQS metric
 * ApproximateAgeOfOldestMessage, one value a minute, published a few minutes late. We read the
 * latest value of the last 15 minutes. Where CloudWatch is not there (LocalStack without the
 * cloudwatch service, no cloudwatch:GetMetricData permission) the age is unavailable, with the
 * reason, rather than guessed: receiving a message to look at its timestamp would count as a
 * delivery attempt and push it towards the dead-letter queue.
 */

const LOOKBACK_MS = 15 * 60_000;

export interface OldestMessageAge {
  /** Seconds, or undefined when CloudWatch has no value for the last 15 minutes (an idle queue reports none). */
  readonly seconds: number | undefined;
  /** The minute the value belongs to. */
  readonly at: Date | undefined;
}

export type OldestMessageAges =
  | { readonly available: true; readonly byQueue: ReadonlyMap<string, OldestMessageAge> }
  | { readonly available: false; readonly reason: string };

export async function readOldestMessageAges(
  cloudwatch: Pick<CloudWatchClient, 'send'>,
  queueNames: readonly string[],
  now: Date = new Date(),
): Promise<OldestMessageAges> {
  let results: { Id?: string | undefined; Timestamps?: Date[] | undefined; Values?: number[] | undefined }[];
  try {
    const output = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - LOOKBACK_MS),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queueNames.map((name, index) => ({
          Id: `q${index}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateAgeOfOldestMessage',
              Dimensions: [{ Name: 'QueueName', Value: name }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    );
    results = output.MetricDataResults ?? [];
  } catch (error) {
    return { available: false, reason: `CloudWatch: ${describeError(error)}` };
  }
  const byQueue = new Map<string, OldestMessageAge>();
  queueNames.forEach((name, index) => {
    const result = results.find((candidate) => candidate.Id === `q${index}`);
    const latest = latestPoint(result?.Timestamps ?? [], result?.Values ?? []);
    byQueue.set(name, latest ?? { seconds: undefined, at: undefined });
  });
  return { available: true, byQueue };
}

function latestPoint(timestamps: readonly Date[], values: readonly number[]): OldestMessageAge | undefined {
  let best: OldestMessageAge | undefined;
  timestamps.forEach((at, index) => {
    const seconds = values[index];
    if (seconds === undefined) return;
    if (!best?.at || at.getTime() > best.at.getTime()) best = { seconds, at };
  });
  return best;
}
