/** What an object key (or local file name) says a file is. */
export const LogFileKind = {
  /** A CloudTrail log file: indexed. */
  CloudTrail: 'cloudtrail',
  /** A CloudTrail Insights log file: indexed into the insights index family. */
  Insight: 'insight',
  /** A digest file (log file integrity validation): nothing to index. */
  Digest: 'digest',
  /** Anything else found in the bucket: not ours to index. */
  Other: 'other',
} as const;
export type LogFileKind = (typeof LogFileKind)[keyof typeof LogFileKind];

export interface LogFileKeyInfo {
  readonly kind: typeof LogFileKind.CloudTrail | typeof LogFileKind.Insight;
  readonly accountId: string;
  readonly region: string;
  /** When CloudTrail delivered the file, from its name, as ISO 8601 UTC (`2023-07-10T12:00:00Z`). */
  readonly deliveredAt: string;
  /** `o-...` for organization trails, when the key has the `AWSLogs/` folders. */
  readonly organizationId: string | undefined;
}

export interface SkippedKeyInfo {
  readonly kind: typeof LogFileKind.Digest | typeof LogFileKind.Other;
  /** One sentence for the log line that reports the skip. */
  readonly reason: string;
}

export type ObjectKeyInfo = LogFileKeyInfo | SkippedKeyInfo;

/** C0 and C1 control characters: no CloudTrail key holds one, and a newline can forge a line in a list. */
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Whether a key (or path) holds a control character. */
export function hasControlCharacter(key: string): boolean {
  return CONTROL_CHARACTER.test(key);
}

/** An AWS account id, as CloudTrail's keys, `--account` and the listing's account folders give it. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An AWS region name such as us-east-1 or us-gov-west-1 (`--region`, AWS_REGION). */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

// AccountID_CloudTrail_RegionName_YYYYMMDDTHHmmZ_UniqueString.json.gz (seconds tolerated; .json too,
// for copies someone decompressed).
const LOG_FILE_NAME =
  /^(\d{12})_(CloudTrail|CloudTrail-Insight)_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z_([A-Za-z0-9]+)\.json(?:\.gz)?$/;
const DIGEST_FILE_NAME = /^\d{12}_CloudTrail-Digest_/;
// [prefix/]AWSLogs/[o-orgid/]ACCOUNT/SERVICE/...
const AWS_LOGS_PATH = /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/([^/]+)\//;

/**
 * Classifies an S3 object key or a local path by its name alone, never by its content: CloudTrail
 * and Insights log files (their account, region and delivery time come from the name), digest files,
 * and everything else. The key must already be URL-decoded (S3 notifications encode it).
 *
 * The file name decides; the optional `[prefix/]AWSLogs/[o-orgid/]ACCOUNT/CloudTrail*` folders only
 * add the organization id, and a key under another service's folder is never a CloudTrail log.
 */
export function classifyObjectKey(key: string): ObjectKeyInfo {
  const slash = Math.max(key.lastIndexOf('/'), key.lastIndexOf('\\'));
  const name = key.slice(slash + 1);
  const folders = AWS_LOGS_PATH.exec(key.replaceAll('\\', '/'));
  const service = folders?.[3];

  if (service === 'CloudTrail-Digest' || DIGEST_FILE_NAME.test(name)) {
    return {
      kind: LogFileKind.Digest,
      reason: 'a CloudTrail digest file (integrity validation), not a log file',
    };
  }
  if (service !== undefined && service !== 'CloudTrail' && service !== 'CloudTrail-Insight') {
    return { kind: LogFileKind.Other, reason: `an AWSLogs/${service} object, not a CloudTrail log file` };
  }
  const match = LOG_FILE_NAME.exec(name);
  if (match === null) {
    return {
      kind: LogFileKind.Other,
      reason:
        'the name is not a CloudTrail log file name (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz)',
    };
  }
  const [, accountId, type, region, year, month, day, hour, minute, second] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (
    !isCalendarDate(year, month, day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second ?? 0) > 59
  ) {
    return { kind: LogFileKind.Other, reason: `the name carries an impossible date (${name})` };
  }
  return {
    kind: type === 'CloudTrail-Insight' ? LogFileKind.Insight : LogFileKind.CloudTrail,
    accountId,
    region,
    deliveredAt: `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}Z`,
    organizationId: folders?.[1],
  };
}

function isCalendarDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}
