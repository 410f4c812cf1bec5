import { describe, expect, it } from 'vitest';
import { checkIam, grantedActions, iamActionOf, sdkCallsIn } from '../../../scripts/check-iam.ts';

describe('the task role in infra/iam.tf against the calls in src/', () => {
  const report = checkIam();

  it('grants every action the worker, backfill and setup call', () => {
    expect(report.missing).toEqual([]);
    expect([...report.needed.keys()]).toEqual(
      expect.arrayContaining(['s3:GetObject', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'es:ESHttpPost']),
    );
  });

  it('grants nothing they do not call', () => {
    expect(report.extra).toEqual([]);
    expect(report.staleExclusions).toEqual([]);
  });

  it('leaves what only operator commands call to the operators', () => {
    for (const action of [
      'ssm:PutParameter',
      'cloudwatch:GetMetricData',
      'es:ESHttpDelete',
      'sqs:GetQueueUrl',
    ])
      expect({ action, task: report.granted.has(action), operator: report.operator.has(action) }).toEqual({
        action,
        task: false,
        operator: true,
      });
  });
});

describe('check-iam building blocks', () => {
  it.each([
    ['s3', 'ListObjectsV2', 's3:ListBucket'],
    ['s3', 'HeadBucket', 's3:ListBucket'],
    ['sqs', 'DeleteMessageBatch', 'sqs:DeleteMessage'],
    ['sqs', 'ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'],
    ['opensearch', 'DescribeDomain', 'es:DescribeDomain'],
    ['cloudwatch', 'GetMetricData', 'cloudwatch:GetMetricData'],
    ['ssm', 'GetParameter', 'ssm:GetParameter'],
  ])('names the IAM action of %s %s', (service, command, action) => {
    expect(iamActionOf(service, command)).toBe(action);
  });

  it('finds SDK commands with the service of their import', () => {
    const text = `import {\n  GetObjectCommand,\n  type S3Client,\n} from '@aws-sdk/client-s3';\nawait s3.send(new GetObjectCommand({}));`;
    expect(sdkCallsIn('x.ts', text)).toEqual([
      { file: 'x.ts', service: 's3', command: 'GetObject', action: 's3:GetObject' },
    ]);
  });

  it('reads the actions of one policy document, dynamic statements included, comments ignored', () => {
    const terraform = `
data "aws_iam_policy_document" "other" {
  statement { actions = ["s3:DeleteObject"] }
}
data "aws_iam_policy_document" "task" {
  statement {
    actions = ["s3:GetObject"] # "s3:PutObject" is not granted
  }
  dynamic "statement" {
    for_each = var.x ? [1] : []
    content {
      actions = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
      ]
    }
  }
}`;
    expect(grantedActions(terraform, 'task')).toEqual(
      new Set(['s3:GetObject', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
  });
});
