import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeNotification, NotificationError } from '../../../../src/sources/s3/decode-notification.ts';
import { corpusPath } from '../../../helpers/corpus.ts';

const message = (path: string): string => readFileSync(corpusPath('messages', path), 'utf8');

describe('decodeNotification over the real message corpus', () => {
  describe.each([
    {
      file: 's3-event-notification/sekoia_sqs-body_s3-put-cloudtrail-key_1.json',
      format: 's3-event',
      viaSns: false,
      bucket: 'aws-cloudtrail-111111111111-3abc4c4f',
      keyPattern: /^AWSLogs\/111111111111\/CloudTrail\/.+_CloudTrail_.+\.json\.gz$/,
    },
    {
      file: 's3-event-notification/sekoia_sqs-body_s3-put-cloudtrail-key_2.json',
      format: 's3-event',
      viaSns: false,
      bucket: 'aws-cloudtrail-111111111111-3abc4c4f',
      keyPattern: /CloudTrail/,
    },
    {
      file: 's3-event-notification/powertools_sqs-body_s3-put.json',
      format: 's3-event',
      viaSns: false,
      bucket: 'xxx',
      keyPattern: /^test\.pdf$/,
    },
    {
      file: 's3-event-notification/awsdocs-s3_example-put-message.json',
      format: 's3-event',
      viaSns: false,
      bucket: 'mybucket',
      keyPattern: /./,
    },
    {
      file: 'sns-wrapped-s3-notification/clo_sqs-body_sns-envelope_s3-put.json',
      format: 's3-event',
      viaSns: true,
      bucket: undefined,
      keyPattern: /./,
    },
    {
      file: 'cloudtrail-sns-notification/aws-cpl_SQSMessageBody_sns-envelope.json',
      format: 'cloudtrail-sns',
      viaSns: true,
      bucket: 'my-test-bucket',
      keyPattern: /^myprefix\/AWSLogs\/123456789012\/CloudTrail\//,
    },
    {
      file: 'cloudtrail-sns-notification/awsdocs_cloudtrail-sns-message_single.json',
      format: 'cloudtrail-sns',
      viaSns: false,
      bucket: 'your-bucket-name',
      keyPattern: /_CloudTrail_/,
    },
    {
      file: 'cloudtrail-sns-notification/awsdocs_cloudtrail-sns-message_multi.json',
      format: 'cloudtrail-sns',
      viaSns: false,
      bucket: 'your-bucket-name',
      keyPattern: /_CloudTrail_/,
    },
    {
      file: 'eventbridge-object-created/grafana-loki_eventbridge-s3-event.json',
      format: 'eventbridge',
      viaSns: false,
      bucket: 'bucket',
      keyPattern: /^pizza\.txt$/,
    },
    {
      file: 'eventbridge-object-created/powertools_s3EventBridgeNotificationObjectCreatedEvent.json',
      format: 'eventbridge',
      viaSns: false,
      bucket: 'example-bucket',
      keyPattern: /^IMG_m7fzo3\.jpg$/,
    },
  ])('$file', ({ file, format, viaSns, bucket, keyPattern }) => {
    const decoded = decodeNotification(message(file));

    it(`is read as ${format}${viaSns ? ' inside SNS' : ''}`, () => {
      expect(decoded.format).toBe(format);
      expect(decoded.viaSns).toBe(viaSns);
    });

    it('announces every object it names', () => {
      expect(decoded.objects.length).toBeGreaterThan(0);
      for (const object of decoded.objects) {
        if (bucket) expect(object.bucket).toBe(bucket);
        expect(object.key).toMatch(keyPattern);
      }
    });
  });

  it('reads all three keys of a multi-key CloudTrail notification', () => {
    expect(
      decodeNotification(message('cloudtrail-sns-notification/awsdocs_cloudtrail-sns-message_multi.json'))
        .objects,
    ).toHaveLength(3);
  });

  it.each(['s3-test-event/sekoia_sqs-body_s3-TestEvent.json', 's3-test-event/awsdocs-s3_test-message.json'])(
    'recognises the S3 test event %s and announces nothing',
    (file) => {
      const decoded = decodeNotification(message(file));
      expect(decoded.format).toBe('s3-test-event');
      expect(decoded.objects).toEqual([]);
    },
  );

  it.each([
    'lambda-sqs-batch-envelopes/powertools_s3SqsEvent.json',
    'lambda-sqs-batch-envelopes/clo_s3_object_upload_with_cross_acct_event.json',
  ])('decodes each SQS body carried in the Lambda batch %s', (file) => {
    const batch = JSON.parse(message(file)) as { Records: { body: string }[] };
    for (const record of batch.Records)
      expect(decodeNotification(record.body).objects.length).toBeGreaterThan(0);
  });
});

describe('decodeNotification edge cases', () => {
  const s3Event = (records: unknown[]): string => JSON.stringify({ Records: records });
  const record = (key: string, eventName = 'ObjectCreated:Put') => ({
    eventName,
    eventTime: '2024-05-31T23:59:59.000Z',
    s3: { bucket: { name: 'trail' }, object: { key, size: 10 } },
  });

  it('URL-decodes keys, with + as a space', () => {
    const decoded = decodeNotification(s3Event([record('my+prefix/AWSLogs/a%2Bb%20c.json.gz')]));
    expect(decoded.objects[0]?.key).toBe('my prefix/AWSLogs/a+b c.json.gz');
  });

  it('reads every record of a multi-record S3 notification, not only the first', () => {
    const decoded = decodeNotification(
      s3Event([record('a.json.gz'), record('b.json.gz'), record('c.json.gz')]),
    );
    expect(decoded.objects.map((o) => o.key)).toEqual(['a.json.gz', 'b.json.gz', 'c.json.gz']);
    expect(decoded.objects[0]).toMatchObject({
      bucket: 'trail',
      size: 10,
      announcedAt: '2024-05-31T23:59:59.000Z',
    });
  });

  it('drops a malformed size or time instead of refusing the message', () => {
    const odd = {
      ...record('a.json.gz'),
      eventTime: 42,
      s3: { bucket: { name: 'trail' }, object: { key: 'a.json.gz', size: '10' } },
    };
    expect(decodeNotification(s3Event([odd])).objects).toEqual([{ bucket: 'trail', key: 'a.json.gz' }]);
  });

  it('ignores records of events other than object creation', () => {
    expect(decodeNotification(s3Event([record('a.json.gz', 'ObjectRemoved:Delete')])).objects).toEqual([]);
  });

  it('unwraps a CloudTrail notification from an SNS envelope', () => {
    const body = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'b', s3ObjectKey: ['AWSLogs/1/CloudTrail/x+y.json.gz'] }),
    });
    // CloudTrail does not URL-encode its keys: a + stays a +.
    expect(decodeNotification(body).objects).toEqual([
      { bucket: 'b', key: 'AWSLogs/1/CloudTrail/x+y.json.gz' },
    ]);
  });

  it.each([
    ['a body that is not JSON', 'hello', /not JSON/],
    ['a JSON array', '[1,2]', /not an object/],
    ['an unknown format', '{"foo":1}', /not a notification format.*foo/],
    [
      'an S3 record without a key',
      s3Event([{ s3: { bucket: { name: 'b' } } }]),
      /^S3 event notification at Records\[0\]\.s3\.object: .*expected object/,
    ],
    [
      'a CloudTrail notification with a key that is not a string',
      JSON.stringify({ s3Bucket: 'b', s3ObjectKey: ['a.json.gz', 7] }),
      /^CloudTrail notification at s3ObjectKey\[1\]: .*expected string/,
    ],
    [
      'an EventBridge "Object Created" event without a bucket',
      JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { object: { key: 'k' } } }),
      /^EventBridge "Object Created" event detail at bucket: .*expected object/,
    ],
    [
      'an SNS envelope whose message is not JSON',
      '{"Type":"Notification","Message":"nope"}',
      /SNS message .* not JSON/,
    ],
    ['a key with broken URL encoding', s3Event([record('bad%zz')]), /not valid URL encoding/],
    ['an S3 event with an empty Records array', '{"Records":[]}', /empty Records array/],
  ])('rejects %s with a NotificationError that says why', (_what, body, reason) => {
    expect(() => decodeNotification(body)).toThrow(NotificationError);
    expect(() => decodeNotification(body)).toThrow(reason);
  });
});
