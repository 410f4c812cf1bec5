import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseLossless } from '../src/core/parse-lossless.ts';
import { locateCorpus } from '../test/helpers/locate-corpus.ts';

/** The corpus folders whose files are in CloudTrail's delivery form (`{"Records":[...]}`). */
const RECORD_FOLDERS = ['logs', 'converted-records'] as const;

const ID = '@@bench-event-id@@';
const TIME = '@@bench-event-time@@';
const ACCOUNT = '@@bench-account@@';

/** The fields every derived copy of an event gets anew. */
export type TemplateSlot = 'id' | 'time' | 'account';

/**
 * One corpus event as compact JSON text with holes for `eventID`, `eventTime` and
 * `recipientAccountId`. Filling the holes is string concatenation, so a million derived events cost
 * no JSON work at all.
 */
export interface EventTemplate {
  readonly eventName: string;
  /** The text around the holes: four pieces around three slots. */
  readonly parts: readonly [string, string, string, string];
  /** Which value goes into each hole, in text order. */
  readonly slots: readonly [TemplateSlot, TemplateSlot, TemplateSlot];
}

export function fillTemplate(
  template: EventTemplate,
  values: Readonly<Record<TemplateSlot, string>>,
): string {
  const { parts, slots } = template;
  return `${parts[0]}${values[slots[0]]}${parts[1]}${values[slots[1]]}${parts[2]}${values[slots[2]]}${parts[3]}`;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
    );
}

/**
 * Every distinct real event of the corpus's delivery-form files (de-duplicated by eventID, in a
 * fixed order), as templates. Numbers keep their source text (`1.0`, integers beyond 2^53).
 * Insights events are left out: CloudTrail delivers them in files of their own.
 */
export function corpusTemplates(corpusDir: string = locateCorpus()): EventTemplate[] {
  const seen = new Set<string>();
  const templates: EventTemplate[] = [];
  for (const folder of RECORD_FOLDERS) {
    for (const file of filesUnder(join(corpusDir, folder))) {
      if (!/\.(json|json\.gz|log)$/.test(file)) continue;
      let bytes = readFileSync(file);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const parsed = parseLossless(bytes.toString('utf8')) as { Records?: Record<string, unknown>[] };
      for (const event of parsed.Records ?? []) {
        const key = typeof event.eventID === 'string' ? event.eventID : JSON.stringify(event);
        if (seen.has(key) || event.eventType === 'AwsCloudTrailInsight') continue;
        seen.add(key);
        templates.push(templateOf(event));
      }
    }
  }
  if (templates.length === 0) throw new Error(`no CloudTrail events found under ${corpusDir}`);
  return templates;
}

const MARKERS: ReadonlyArray<readonly [TemplateSlot, string]> = [
  ['id', ID],
  ['time', TIME],
  ['account', ACCOUNT],
];

function templateOf(event: Record<string, unknown>): EventTemplate {
  const text = JSON.stringify({ ...event, eventID: ID, eventTime: TIME, recipientAccountId: ACCOUNT });
  const found = MARKERS.map(([slot, marker]) => {
    const at = text.indexOf(marker);
    if (at < 0 || text.indexOf(marker, at + 1) >= 0) throw new Error(`template marker ${marker} not unique`);
    return { slot, marker, at };
  }).sort((x, y) => x.at - y.at);
  const parts: string[] = [];
  let from = 0;
  for (const { marker, at } of found) {
    parts.push(text.slice(from, at));
    from = at + marker.length;
  }
  parts.push(text.slice(from));
  return {
    eventName: String(event.eventName ?? ''),
    parts: parts as unknown as EventTemplate['parts'],
    slots: found.map((f) => f.slot) as unknown as EventTemplate['slots'],
  };
}
