import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudTrailFile } from '../../helpers/cloudtrail-files.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';

type CloudTrailEvent = Record<string, unknown>;

/** A copy of `file` in which `change` has edited the event at `position` (its eventID stays). */
export function withEventChanged(
  file: CloudTrailFile,
  position: number,
  change: (event: CloudTrailEvent) => void,
): CloudTrailFile {
  const log = JSON.parse(gunzipSync(file.body).toString('utf8')) as { Records: CloudTrailEvent[] };
  const event = log.Records[position];
  if (!event) throw new Error(`${file.key} has no event ${position}`);
  change(event);
  return { ...file, body: gzipSync(JSON.stringify(log)) };
}

/** A file under a CloudTrail key holding `body` as it is: for content that is not a log file. */
export function fileWithBody(seed: string, body: Buffer): CloudTrailFile {
  const { key } = syntheticLogFile(1, seed);
  return { key, body, eventIds: [] };
}
