import type { ObjectKeyInfo } from '../sources/classify-object-key.ts';

/** Which month an event's index is named after. */
export const IndexRouting = {
  /** The event's own `eventTime` (UTC): an event lands in its month whenever its file was delivered. */
  EventTime: 'event-time',
  /** The delivery date in the file's name, as the Lambda this project replaces did. */
  FileDate: 'file-date',
} as const;
export type IndexRouting = (typeof IndexRouting)[keyof typeof IndexRouting];

export const DEFAULT_INDEX_PREFIX = 'cloudtrail';
/** Index suffix for events whose month can be found neither in the event nor in the file name. */
export const UNDATED_SUFFIX = 'undated';
const INSIGHT_EVENT_TYPE = 'AwsCloudTrailInsight';

export interface RoutingOptions {
  readonly routing: IndexRouting;
  readonly indexPrefix: string;
}

// YYYY-MM-DD, then optionally a time (T or space) and a zone; CloudTrail itself writes `...T12:34:56Z`.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `YYYY-MM` (UTC) of an ISO 8601 timestamp, or undefined when it is not one. A timestamp without a
 * zone is taken as UTC, as CloudTrail's own are; one with an offset is converted, so the month is
 * always the UTC month.
 */
export function utcMonthOf(timestamp: unknown): string | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const match = TIMESTAMP.exec(timestamp);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, , zone] = match;
  const monthNumber = Number(month);
  if (monthNumber < 1 || monthNumber > 12 || Number(day) < 1 || Number(day) > 31) return undefined;
  if (zone === undefined || zone === 'Z' || zone === 'z') return `${year}-${month}`;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  const utc = new Date(
    Date.UTC(
      Number(year),
      monthNumber - 1,
      Number(day),
      Number(hour ?? 0),
      Number(minute ?? 0) - offsetMinutes,
    ),
  );
  return `${String(utc.getUTCFullYear()).padStart(4, '0')}-${String(utc.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Whether the event goes to the insights index family: it is in an Insights file, or is an Insights event. */
export function isInsightEvent(event: Record<string, unknown>, file: ObjectKeyInfo): boolean {
  return file.kind === 'insight' || event.eventType === INSIGHT_EVENT_TYPE;
}

/**
 * The index an event goes to: `<prefix>-YYYY-MM`, or `<prefix>-insights-YYYY-MM` for Insights events.
 * The month comes from the routing's first choice, falling back to the other source (an event without
 * a usable `eventTime`, a file whose name has no date), and to `<prefix>-undated` when neither has one,
 * so no event is ever dropped for want of a date.
 */
export function indexNameFor(
  event: Record<string, unknown>,
  file: ObjectKeyInfo,
  options: RoutingOptions,
): string {
  const fileMonth = 'deliveredAt' in file ? file.deliveredAt.slice(0, 7) : undefined;
  const month =
    options.routing === IndexRouting.FileDate
      ? (fileMonth ?? utcMonthOf(event.eventTime))
      : (utcMonthOf(event.eventTime) ?? fileMonth);
  const family = isInsightEvent(event, file) ? `${options.indexPrefix}-insights` : options.indexPrefix;
  return `${family}-${month ?? UNDATED_SUFFIX}`;
}
