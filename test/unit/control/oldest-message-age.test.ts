import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { readOldestMessageAges } from '../../../src/control/oldest-message-age.ts';

function fakeCloudWatch(answer: () => unknown): {
  cloudwatch: Pick<CloudWatchClient, 'send'>;
  sent: unknown[];
} {
  const sent: unknown[] = [];
  return {
    sent,
    cloudwatch: {
      send: async (command: unknown) => {
        sent.push(command);
        return answer();
      },
    } as unknown as Pick<CloudWatchClient, 'send'>,
  };
}

const now = new Date('2024-05-31T12:00:00Z');
const minute = (m: number) => new Date(now.getTime() - m * 60_000);

describe('readOldestMessageAges', () => {
  it('asks CloudWatch for the maximum of ApproximateAgeOfOldestMessage per queue over the last 15 minutes', async () => {
    const { cloudwatch, sent } = fakeCloudWatch(() => ({ MetricDataResults: [] }));
    await readOldestMessageAges(cloudwatch, ['main', 'main-dlq'], now);
    expect(sent[0]).toBeInstanceOf(GetMetricDataCommand);
    const input = (sent[0] as GetMetricDataCommand).input;
    expect(input.StartTime).toEqual(minute(15));
    expect(input.EndTime).toEqual(now);
    expect(input.MetricDataQueries?.[1]).toEqual({
      Id: 'q1',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: 'main-dlq' }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    });
  });

  it('takes the latest value of each queue, whatever the order of the points', async () => {
    const { cloudwatch } = fakeCloudWatch(() => ({
      MetricDataResults: [
        { Id: 'q1', Timestamps: [minute(9)], Values: [86_400] },
        { Id: 'q0', Timestamps: [minute(7), minute(3), minute(5)], Values: [70, 250, 130] },
      ],
    }));
    const ages = await readOldestMessageAges(cloudwatch, ['main', 'main-dlq'], now);
    expect(ages).toEqual({
      available: true,
      byQueue: new Map([
        ['main', { seconds: 250, at: minute(3) }],
        ['main-dlq', { seconds: 86_400, at: minute(9) }],
      ]),
    });
  });

  it('says when CloudWatch has no value for a queue', async () => {
    const { cloudwatch } = fakeCloudWatch(() => ({
      MetricDataResults: [{ Id: 'q0', Timestamps: [], Values: [] }],
    }));
    const ages = await readOldestMessageAges(cloudwatch, ['idle'], now);
    expect(ages).toEqual({
      available: true,
      byQueue: new Map([['idle', { seconds: undefined, at: undefined }]]),
    });
  });

  it('reports CloudWatch unavailable with the reason instead of failing', async () => {
    const { cloudwatch } = fakeCloudWatch(() => {
      throw Object.assign(new Error("Service 'cloudwatch' is not enabled."), { name: 'InternalFailure' });
    });
    expect(await readOldestMessageAges(cloudwatch, ['main'], now)).toEqual({
      available: false,
      reason: "CloudWatch: InternalFailure: Service 'cloudwatch' is not enabled",
    });
  });
});
