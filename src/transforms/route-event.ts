import type { ObjectKeyInfo } from '../core/classify-object-key.ts';

/** Which month an event's index is named after. */
export const IndexRouting = {
  /** The event's own `eventTime` (UTC): an event lands in its month whenever its file was delivered. */
  EventTime: 'event-time',
  /** The delivery date in the file's name, as the Lambda this project replaces did. */
  FileDate: 'file-date',
} as const;
export type IndexRouting = (typeof IndexRouting)[keyof typeof IndexRouting];
export const INDEX_ROUTINGS = [IndexRouting.EventTime, IndexRouting.FileDate] as const;

export const DEFAULT_INDEX_PREFIX = 'cloudtrail';
/** Index suffix for events whose month can be found neither in the event nor in the file name. */
export const UNDATED_SUFFIX = 'undated';
const INSIGHT_EVENT_TYPE = 'AwsCloudTrailInsight';

export interface RoutingOptions {
  readonly routing: IndexRouting;
  readonly indexPrefix: string;
  /** Event-time routing believes an `eventTime` at most this many days before the file's delivery. */
  readonly eventTimeWindowDays?: number | undefined;
}

/** CloudTrail delivers within minutes; a month covers late deliveries and files copied around. */
export const DEFAULT_EVENT_TIME_WINDOW_DAYS = 31;

// YYYY-MM-DD, then optionally a time (T or space) and a zone; CloudTrail itself writes `...T12:34:56Z`.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

interface Timestamp {
  /** ms since the epoch, UTC. */
  readonly instant: number;
  /** `YYYY-MM` (UTC); undefined outside years 0000-9999. */
  readonly month: string | undefined;
}

/**
 * An ISO 8601 timestamp read once, for both its instant and its month (routing needs both for every
 * event). A timestamp without a zone is taken as UTC, as CloudTrail's own are; one with an offset is
 * converted, so the month is always the UTC month.
 */
function readTimestamp(timestamp: unknown): Timestamp | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const match = TIMESTAMP.exec(timestamp);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, zone] = match as unknown as [string, ...string[]];
  const yearNumber = Number(year);
  const monthNumber = Number(month);
  const dayNumber = Number(day);
  if (monthNumber < 1 || monthNumber > 12 || dayNumber < 1 || dayNumber > 31) return undefined;
  const utc = zone === undefined || zone === 'Z' || zone === 'z';
  let offsetMinutes = 0;
  if (!utc) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const hours = Number(hour ?? 0);
  const minutes = Number(minute ?? 0) - offsetMinutes;
  const seconds = Number(second ?? 0);
  let instant: number;
  if (yearNumber >= 100) {
    instant = Date.UTC(yearNumber, monthNumber - 1, dayNumber, hours, minutes, seconds);
  } else {
    // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes them as they are.
    const date = new Date(0);
    date.setUTCFullYear(yearNumber, monthNumber - 1, dayNumber);
    date.setUTCHours(hours, minutes, seconds);
    instant = date.getTime();
  }
  return { instant, month: utc ? `${year}-${month}` : monthOfInstant(instant) };
}

/**
 * The instant (ms since the epoch, UTC) of an ISO 8601 timestamp, or undefined when it is not one. A
 * timestamp without a zone is taken as UTC, as CloudTrail's own are; one with an offset is converted.
 * Years 0000-0099 stay what they say (`Date.UTC` would read them as 1900-1999).
 */
export function utcInstantOf(timestamp: unknown): number | undefined {
  return readTimestamp(timestamp)?.instant;
}

/** `YYYY-MM` of an instant (ms since the epoch), UTC; undefined outside years 0000-9999. */
function monthOfInstant(instant: number): string | undefined {
  const date = new Date(instant);
  if (date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return undefined;
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * `YYYY-MM` (UTC) of an ISO 8601 timestamp, or undefined when it is not one. A timestamp without a
 * zone is taken as UTC, as CloudTrail's own are; one with an offset is converted, so the month is
 * always the UTC month.
 */
export function utcMonthOf(timestamp: unknown): string | undefined {
  return readTimestamp(timestamp)?.month;
}

/** The last delivery date read, and its instant: every event of a file asks for the same one. */
let lastDelivery: { readonly text: string; readonly instant: number } | undefined;

function deliveryInstant(deliveredAt: string): number {
  if (lastDelivery?.text !== deliveredAt)
    lastDelivery = { text: deliveredAt, instant: Date.parse(deliveredAt) };
  return lastDelivery.instant;
}

/** Whether the event goes to the insights index family: it is in an Insights file, or is an Insights event. */
export function isInsightEvent(event: Record<string, unknown>, file: ObjectKeyInfo): boolean {
  return file.kind === 'insight' || event.eventType === INSIGHT_EVENT_TYPE;
}

export interface EventRoute {
  readonly index: string;
  /**
   * The event's `eventTime` lies outside the window around its file's delivery date, so it was routed
   * to the file's month instead: a file may open at most the few monthly indexes its date implies.
   */
  readonly outsideWindow: boolean;
}

const DAY_MS = 86_400_000;
/** CloudTrail writes an event into a file minutes after it happens; a later eventTime is a clock at most a day off. */
const MAX_EVENT_LEAD_MS = DAY_MS;

/**
 * The index an event goes to: `<prefix>-YYYY-MM`, or `<prefix>-insights-YYYY-MM` for Insights events.
 * The month comes from the routing's first choice, falling back to the other source (an event without
 * a usable `eventTime`, a file whose name has no date), and to `<prefix>-undated` when neither has one,
 * so no event is ever dropped for want of a date. With event-time routing, an `eventTime` more than
 * `eventTimeWindowDays` before the file's delivery (or more than a day after it) is not believed: the
 * event goes to the file's month and is flagged, so no file can spray events over thousands of months.
 */
export function routeEvent(
  event: Record<string, unknown>,
  file: ObjectKeyInfo,
  options: RoutingOptions,
): EventRoute {
  const deliveredAt = 'deliveredAt' in file ? file.deliveredAt : undefined;
  const fileMonth = deliveredAt?.slice(0, 7);
  let month: string | undefined;
  let outsideWindow = false;
  if (options.routing === IndexRouting.FileDate) {
    month = fileMonth ?? utcMonthOf(event.eventTime);
  } else {
    const eventTime = readTimestamp(event.eventTime);
    month = eventTime?.month;
    if (eventTime !== undefined && month !== undefined && deliveredAt !== undefined) {
      const delivered = deliveryInstant(deliveredAt);
      const instant = eventTime.instant;
      const windowMs = (options.eventTimeWindowDays ?? DEFAULT_EVENT_TIME_WINDOW_DAYS) * DAY_MS;
      if (instant < delivered - windowMs || instant > delivered + MAX_EVENT_LEAD_MS) {
        outsideWindow = true;
        month = fileMonth;
      }
    }
    month ??= fileMonth;
  }
  const family = isInsightEvent(event, file) ? `${options.indexPrefix}-insights` : options.indexPrefix;
  return { index: indexNamed(family, month ?? UNDATED_SUFFIX), outsideWindow };
}

/**
 * One string per index name, reused for every event: the sink keys its index bookkeeping by the name,
 * and a name built anew for each event would be hashed anew at each lookup.
 */
const indexNames = new Map<string, Map<string, string>>();

function indexNamed(family: string, suffix: string): string {
  let byFamily = indexNames.get(family);
  if (byFamily === undefined) {
    if (indexNames.size >= 64) indexNames.clear();
    byFamily = new Map();
    indexNames.set(family, byFamily);
  }
  let name = byFamily.get(suffix);
  if (name === undefined) {
    // Bounded: event-time routing opens at most a few months per file (EVENT_TIME_WINDOW_DAYS).
    if (byFamily.size >= 4096) byFamily.clear();
    name = `${family}-${suffix}`;
    byFamily.set(suffix, name);
  }
  return name;
}

/** The index of `routeEvent`, alone. */
export function indexNameFor(
  event: Record<string, unknown>,
  file: ObjectKeyInfo,
  options: RoutingOptions,
): string {
  return routeEvent(event, file, options).index;
}
