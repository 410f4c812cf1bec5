import { describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';

const NAME = '111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz';

describe('classifyObjectKey', () => {
  describe.each([
    {
      case: 'a trail log file',
      key: `AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/${NAME}`,
      expected: {
        kind: 'cloudtrail',
        accountId: '111122223333',
        region: 'us-east-2',
        deliveredAt: '2015-08-01T02:10:00Z',
        organizationId: undefined,
      },
    },
    {
      case: 'a log file under a bucket prefix',
      key: `my/prefix/AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/${NAME}`,
      expected: { kind: 'cloudtrail', accountId: '111122223333', deliveredAt: '2015-08-01T02:10:00Z' },
    },
    {
      case: 'an organization trail log file',
      key: `AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-2/2015/08/01/${NAME}`,
      expected: { kind: 'cloudtrail', accountId: '111122223333', organizationId: 'o-exampleorgid' },
    },
    {
      case: 'a GovCloud log file',
      key: 'AWSLogs/123456789012/CloudTrail/us-gov-west-1/2024/02/29/123456789012_CloudTrail_us-gov-west-1_20240229T2355Z_abcdefABCDEF0123.json.gz',
      expected: { kind: 'cloudtrail', region: 'us-gov-west-1', deliveredAt: '2024-02-29T23:55:00Z' },
    },
    {
      case: 'a bare file name (a downloaded copy)',
      key: '/tmp/downloads/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json',
      expected: {
        kind: 'cloudtrail',
        accountId: '111111111111',
        region: 'eu-central-1',
        deliveredAt: '2017-12-11T15:05:00Z',
      },
    },
    {
      case: 'an Insights log file',
      key: 'AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2019/11/14/123456789012_CloudTrail-Insight_us-east-1_20191114T0055Z_0123456789abcdef.json.gz',
      expected: {
        kind: 'insight',
        accountId: '123456789012',
        region: 'us-east-1',
        deliveredAt: '2019-11-14T00:55:00Z',
      },
    },
    {
      case: 'a digest file',
      key: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz',
      expected: { kind: 'digest' },
    },
    {
      case: 'a digest file name outside AWSLogs',
      key: 'copies/111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20150817T150131Z.json.gz',
      expected: { kind: 'digest' },
    },
    {
      case: 'another service under AWSLogs',
      key: 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/01/01/111122223333_vpcflowlogs_us-east-1_fl-1_20240101T0000Z_abc.log.gz',
      expected: { kind: 'other' },
    },
    {
      case: 'a log file name under another service folder',
      key: `AWSLogs/111122223333/elasticloadbalancing/us-east-2/2015/08/01/${NAME}`,
      expected: { kind: 'other' },
    },
    { case: 'the S3 test object', key: 'AWSLogs/111122223333/CloudTrail/', expected: { kind: 'other' } },
    { case: 'a random object', key: 'reports/2024/summary.csv', expected: { kind: 'other' } },
    {
      case: 'an impossible date in the name',
      key: '111122223333_CloudTrail_us-east-2_20150230T0210Z_Mu0KsOhtH1ar15ZZ.json.gz',
      expected: { kind: 'other' },
    },
  ])('for $case', ({ key, expected }) => {
    it(`classifies it as ${expected.kind}`, () => {
      const info = classifyObjectKey(key);
      expect(info).toMatchObject(expected);
      if (info.kind === 'digest' || info.kind === 'other') expect(info.reason).toMatch(/\w/);
    });
  });

  it('reads Windows paths by their file name', () => {
    expect(classifyObjectKey(`C:\\logs\\${NAME}`)).toMatchObject({ kind: 'cloudtrail', region: 'us-east-2' });
  });
});
