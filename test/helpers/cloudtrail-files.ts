import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface CloudTrailFile {
  /** The object key CloudTrail would give it: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME.json.gz. */
  readonly key: string;
  /** Gzipped bytes, as CloudTrail delivers them. */
  readonly body: Buffer;
  readonly eventIds: readonly string[];
}

const NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]+\.json(\.gz)?$/;

/** A corpus log file as S3 would hold it, under its CloudTrail key (derived from its own file name). */
export function cloudTrailFile(path: string, keyPrefix = ''): CloudTrailFile {
  const raw = readFileSync(path);
  const json = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const name = basename(path).replace(/\.json$/, '.json.gz');
  const match = NAME.exec(name);
  if (!match) throw new Error(`${path} is not named like a CloudTrail log file`);
  const [, account, region, year, month, day] = match;
  const records = (JSON.parse(json.toString('utf8')) as { Records: Array<{ eventID?: string }> }).Records;
  return {
    key: `${keyPrefix}AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${day}/${name}`,
    body: gzipSync(json),
    eventIds: records.map((record) => record.eventID as string),
  };
}

export function distinctIds(files: readonly CloudTrailFile[]): Set<string> {
  return new Set(files.flatMap((file) => file.eventIds));
}
