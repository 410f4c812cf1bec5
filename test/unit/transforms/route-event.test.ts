import { describe, expect, it } from 'vitest';
import type { ObjectKeyInfo } from '../../../src/core/classify-object-key.ts';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';
import { indexNameFor, routeEvent, utcMonthOf } from '../../../src/transforms/route-event.ts';

/** A log file delivered just after midnight on 1 June, holding events from the end of May. */
const JUNE_FILE = classifyObjectKey(
  'AWSLogs/123456789012/CloudTrail/us-east-1/2024/06/01/123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz',
);
const JUNE_INSIGHT_FILE = classifyObjectKey(
  'AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2024/06/01/123456789012_CloudTrail-Insight_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz',
);
const UNNAMED_FILE = classifyObjectKey('events.json');

describe('utcMonthOf', () => {
  it.each([
    ['2024-05-31T23:59:59Z', '2024-05'],
    ['2024-12-31T23:59:59.999Z', '2024-12'],
    ['2024-01-01T00:00:00Z', '2024-01'],
    ['2024-02-29T12:00:00Z', '2024-02'],
    ['2024-05-31 23:59:59.000000000', '2024-05'],
    ['2024-05-31', '2024-05'],
    ['2024-06-01T01:30:00+02:00', '2024-05'],
    ['2024-05-31T22:30:00-01:30', '2024-06'],
    ['2024-13-01T00:00:00Z', undefined],
    // Date.UTC reads years 0-99 as 1900-1999; they must stay what they say.
    ['0050-01-01T00:30:00+01:00', '0049-12'],
    ['0099-12-31T23:30:00-01:00', '0100-01'],
    ['0000-01-01T00:00:00+00:01', undefined],
    ['redacted', undefined],
    ['', undefined],
    [1717199999, undefined],
    [undefined, undefined],
  ])('reads %j as %s', (timestamp, month) => {
    expect(utcMonthOf(timestamp)).toBe(month);
  });
});

describe('indexNameFor', () => {
  describe.each<{
    case: string;
    event: Record<string, unknown>;
    file: ObjectKeyInfo;
    eventTime: string;
    fileDate: string;
  }>([
    {
      case: 'an event at 23:59:59 on the last day of a month, delivered the next month',
      event: { eventTime: '2024-05-31T23:59:59Z' },
      file: JUNE_FILE,
      eventTime: 'cloudtrail-2024-05',
      fileDate: 'cloudtrail-2024-06',
    },
    {
      case: 'the last second of a year',
      event: { eventTime: '2023-12-31T23:59:59Z' },
      file: classifyObjectKey('123456789012_CloudTrail_us-east-1_20240101T0010Z_AbCdEfGhIjKlMnOp.json.gz'),
      eventTime: 'cloudtrail-2023-12',
      fileDate: 'cloudtrail-2024-01',
    },
    {
      case: 'an Insights event in an Insights file',
      event: { eventTime: '2024-05-31T23:59:00Z', eventType: 'AwsCloudTrailInsight' },
      file: JUNE_INSIGHT_FILE,
      eventTime: 'cloudtrail-insights-2024-05',
      fileDate: 'cloudtrail-insights-2024-06',
    },
    {
      case: 'an Insights event in a file with another name',
      event: { eventTime: '2019-11-14T00:51:00Z', eventType: 'AwsCloudTrailInsight' },
      file: UNNAMED_FILE,
      eventTime: 'cloudtrail-insights-2019-11',
      fileDate: 'cloudtrail-insights-2019-11',
    },
    {
      case: 'an event without eventTime',
      event: { '@timestamp': '2020-09-14T00:44:23.000Z' },
      file: JUNE_FILE,
      eventTime: 'cloudtrail-2024-06',
      fileDate: 'cloudtrail-2024-06',
    },
    {
      case: 'an event without a date in a file without a date',
      event: { eventTime: 'redacted' },
      file: UNNAMED_FILE,
      eventTime: 'cloudtrail-undated',
      fileDate: 'cloudtrail-undated',
    },
  ])('for $case', ({ event, file, eventTime, fileDate }) => {
    it(`routes to ${eventTime} by event time`, () => {
      expect(indexNameFor(event, file, { routing: 'event-time', indexPrefix: 'cloudtrail' })).toBe(eventTime);
    });
    it(`routes to ${fileDate} by file date`, () => {
      expect(indexNameFor(event, file, { routing: 'file-date', indexPrefix: 'cloudtrail' })).toBe(fileDate);
    });
  });

  it('uses the configured prefix for both index families', () => {
    const options = { routing: 'event-time', indexPrefix: 'audit.ct' } as const;
    expect(indexNameFor({ eventTime: '2024-05-31T23:59:59Z' }, JUNE_FILE, options)).toBe('audit.ct-2024-05');
    expect(indexNameFor({ eventTime: '2024-05-31T23:59:59Z' }, JUNE_INSIGHT_FILE, options)).toBe(
      'audit.ct-insights-2024-05',
    );
  });
});

describe("routeEvent: the window around the file's delivery (index spray)", () => {
  const options = { routing: 'event-time', indexPrefix: 'cloudtrail' } as const;

  it.each([
    ['31 days before the delivery', '2024-05-01T00:05:00Z', 'cloudtrail-2024-05', false],
    ['a day after the delivery', '2024-06-02T00:05:00Z', 'cloudtrail-2024-06', false],
    ['32 days before', '2024-04-30T00:04:00Z', 'cloudtrail-2024-06', true],
    ['two days after', '2024-06-03T00:06:00Z', 'cloudtrail-2024-06', true],
    ['a century before', '1924-05-31T00:00:00Z', 'cloudtrail-2024-06', true],
    ['year 9999', '9999-12-31T23:59:59Z', 'cloudtrail-2024-06', true],
    ['year 0050 with an offset', '0050-01-01T00:30:00+01:00', 'cloudtrail-2024-06', true],
  ])('an eventTime %s goes to %s (outside: %s)', (_, eventTime, index, outsideWindow) => {
    expect(routeEvent({ eventTime }, JUNE_FILE, options)).toEqual({ index, outsideWindow });
  });

  it('takes the window from the options', () => {
    const narrow = { ...options, eventTimeWindowDays: 1 };
    expect(routeEvent({ eventTime: '2024-05-29T00:00:00Z' }, JUNE_FILE, narrow)).toEqual({
      index: 'cloudtrail-2024-06',
      outsideWindow: true,
    });
  });

  it('leaves files without a delivery date, and file-date routing, as they were', () => {
    expect(routeEvent({ eventTime: '1924-05-31T00:00:00Z' }, UNNAMED_FILE, options).outsideWindow).toBe(
      false,
    );
    expect(
      routeEvent({ eventTime: '1924-05-31T00:00:00Z' }, JUNE_FILE, { ...options, routing: 'file-date' }),
    ).toEqual({ index: 'cloudtrail-2024-06', outsideWindow: false });
  });

  it('opens at most three month indexes for 1,200 events spread over a century', () => {
    const indexes = new Set(
      Array.from({ length: 1200 }, (_, i) => {
        const eventTime = new Date(Date.UTC(1925, 0, 1) + i * 30 * 86_400_000).toISOString();
        return routeEvent({ eventTime }, JUNE_FILE, options).index;
      }),
    );
    expect(indexes.size).toBeLessThanOrEqual(3);
  });
});
