import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { CloudTrailFile } from './cloudtrail-files.ts';
import { corpusPath } from './corpus.ts';

let cachedEvents: Record<string, unknown>[] | undefined;

/** The real events of the Invictus IR dataset (2,900 events, 260 eventNames), read once. */
function corpusEvents(): Record<string, unknown>[] {
  if (cachedEvents) return cachedEvents;
  const folder = corpusPath('logs/invictus-ir_aws_dataset/CloudTrail');
  cachedEvents = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap(
      (name) =>
        (JSON.parse(readFileSync(`${folder}/${name}`, 'utf8')) as { Records: Record<string, unknown>[] })
          .Records,
    );
  return cachedEvents;
}

/** A deterministic UUID-shaped id from a seed and a number, so reruns produce the same documents. */
export function derivedEventId(seed: string, n: number): string {
  const hex = createHash('sha256').update(`${seed}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface SyntheticFileOptions {
  readonly account?: string;
  readonly region?: string;
  /** Delivery day, YYYY-MM-DD: the key's folders and the file name; event times fall on that day. */
  readonly day?: string;
  /** `o-...`: an organization trail's key. */
  readonly organizationId?: string;
  /** What comes before `AWSLogs/` in the bucket. */
  readonly keyPrefix?: string;
}

/**
 * A CloudTrail log file of `count` events derived from the corpus: real shapes, fresh eventIDs,
 * event times within the day of the file name.
 */
export function syntheticLogFile(
  count: number,
  seed: string,
  options: SyntheticFileOptions = {},
): CloudTrailFile {
  const {
    account = '123456789012',
    region = 'us-east-1',
    day = '2024-05-31',
    organizationId,
    keyPrefix = '',
  } = options;
  const events = corpusEvents();
  const start = Date.parse(`${day}T00:00:00Z`);
  const ids: string[] = [];
  const records = Array.from({ length: count }, (_, i) => {
    const event = { ...(events[i % events.length] as Record<string, unknown>) };
    event.eventID = derivedEventId(seed, i);
    event.eventTime = new Date(start + ((i * 997) % 86_400) * 1000).toISOString().replace('.000Z', 'Z');
    event.recipientAccountId = account;
    ids.push(event.eventID as string);
    return JSON.stringify(event);
  });
  const suffix = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  const [year, month, date] = day.split('-') as [string, string, string];
  const name = `${account}_CloudTrail_${region}_${year}${month}${date}T2355Z_${suffix}.json.gz`;
  const org = organizationId ? `${organizationId}/` : '';
  return {
    key: `${keyPrefix}AWSLogs/${org}${account}/CloudTrail/${region}/${year}/${month}/${date}/${name}`,
    body: gzipSync(`{"Records":[${records.join(',')}]}`),
    eventIds: ids,
  };
}
