import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * The hostile-input corpus (issue 17): files and messages that anyone able to write to the bucket or
 * send to the queue can make, generated rather than committed (some inflate to gigabytes). Each case
 * says what the worker must make of it: how many of its events end up searchable, whether its message
 * goes to the dead-letter queue and why, and which indexes it may open.
 *
 * `scale: 'ci'` keeps every case under a few MB on disk and a few seconds of work, with the bounds the
 * tests set (MAX_DECOMPRESSED_BYTES=64 MiB); `scale: 'full'` makes the sizes of the issue's reports
 * (10 MB key names, a 300 MB root key, 20 GB of whitespace) for measuring against the defaults.
 */

export type HostileScale = 'ci' | 'full';

export interface HostileObject {
  readonly key: string;
  readonly body: Buffer;
}

export interface HostileCase {
  /** Short name: the row of test/faults/README.md. */
  readonly kind: string;
  readonly description: string;
  /** Objects to upload; their S3 notifications announce them. */
  readonly objects: readonly HostileObject[];
  /** Message bodies sent as they are (after the uploads); `{bucket}` is replaced by the bucket. */
  readonly messages?: readonly string[];
  /** Upload only once the previous cases are done (the cross-file case needs its victim indexed first). */
  readonly after?: string;
  /** Events whose eventID starts with `eventIdPrefix` that must be searchable afterwards. */
  readonly eventIdPrefix: string;
  readonly indexedEvents: number;
  /** Messages of this case in the dead-letter queue, and a piece of the reason each carries. */
  readonly deadLetters: number;
  readonly reason?: string;
  /** The event months (`YYYY-MM`, insights aside) its events may be indexed under. */
  readonly months: readonly string[];
  /** What `transform` makes of its first object: documents written, and a piece of its error line. */
  readonly transform?: { readonly documents: number; readonly error?: string };
}

const DAY = { folders: '2024/06/01', stamp: '20240601T0005Z', time: '2024-06-01T00:01:00Z' };

function objectKey(account: string, seed: string, day = DAY): string {
  const id = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  return `AWSLogs/${account}/CloudTrail/us-east-1/${day.folders}/${account}_CloudTrail_us-east-1_${day.stamp}_${id}.json.gz`;
}

/** A plausible CloudTrail event; `extra` keys are added or replace its own. */
function event(
  eventID: string,
  account: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${account}:user/alice`,
      accountId: account,
      userName: 'alice',
    },
    eventTime: DAY.time,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { bucketName: 'data', key: 'report.csv' },
    responseElements: null,
    requestID: 'EXAMPLE',
    eventID,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: account,
    eventCategory: 'Data',
    ...extra,
  };
}

const records = (events: readonly unknown[]): string => JSON.stringify({ Records: events });
const gz = (text: string | Buffer): Buffer => gzipSync(text, { level: 1 });

/** `{"Records":[` + n spaces + `]}` gzipped in pieces, so no buffer of n bytes is ever made. */
function whitespaceBomb(bytes: number): Buffer {
  const piece = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 1 });
  const parts = [gz('{"Records":[')];
  for (let left = bytes; left > 0; left -= 64 * 1024 * 1024) {
    parts.push(left >= 64 * 1024 * 1024 ? piece : gz(Buffer.alloc(left, 0x20)));
  }
  parts.push(gz(']}'));
  // Concatenated gzip members are one stream to gunzip, as to `gzip -d`.
  return Buffer.concat(parts);
}

export function hostileCorpus(scale: HostileScale = 'ci'): HostileCase[] {
  const full = scale === 'full';
  const MB = 1024 * 1024;
  const cases: HostileCase[] = [];

  {
    const p = 'hostile-longnames-';
    const length = full ? 10 * MB : MB;
    const events = Array.from({ length: 12 }, (_, i) =>
      event(`${p}${i}`, '100000000001', { [`${i}${'k'.repeat(length)}`]: i }),
    );
    cases.push({
      kind: 'mapping bomb: long key names',
      description: `12 events, each with one top-level key name of ${length / MB} MB`,
      objects: [{ key: objectKey('100000000001', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: 12,
      deadLetters: 1,
      reason: 'folded-keys',
      months: ['2024-06'],
      transform: { documents: 12, error: 'hostile top-level keys' },
    });
  }
  {
    const p = 'hostile-manykeys-';
    const count = full ? 20_000 : 5000;
    const events = Array.from({ length: 20 }, (_, i) =>
      event(
        `${p}${i}`,
        '100000000002',
        Object.fromEntries(Array.from({ length: count }, (_, k) => [`f${i}_${k}`, k])),
      ),
    );
    cases.push({
      kind: 'mapping bomb: many keys',
      description: `20 events, each with ${count} distinct top-level keys (${20 * count} in all)`,
      objects: [{ key: objectKey('100000000002', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: 20,
      deadLetters: 1,
      reason: 'folded-keys',
      months: ['2024-06'],
      transform: { documents: 20, error: 'hostile top-level keys' },
    });
  }
  {
    const p = 'hostile-nested-';
    const deep = JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) as unknown;
    const events = [
      event(`${p}0`, '100000000003', {
        userIdentity: { type: 'IAMUser', ['n'.repeat(full ? 10 * MB : MB)]: 1 },
      }),
      event(`${p}1`, '100000000003', { userIdentity: deep }),
      event(`${p}2`, '100000000003', { _id: 'forged', indexerRepair: { fields: ['forged'] } }),
      event(`${p}3`, '100000000003', { requestParameters_raw: 'x', requestParameters: { a: { b: 1 } } }),
      event(`${p}4`, '100000000003', {
        requestParameters: Object.fromEntries(
          Array.from({ length: 2000 }, (_, k) => [`${k}${'L'.repeat(300)}`, k]),
        ),
      }),
      event(`${p}5`, '100000000003', { 'a.b.c': 1, '': 2, ' ': 3, 'x\u0000y': 4 }),
    ];
    cases.push({
      kind: 'mapping bomb: nested, reserved and odd names',
      description:
        'a 1 MB name inside userIdentity, userIdentity 40 levels deep, _id/indexerRepair forged, requestParameters_raw blocking the flattening, 2,000 leaf names of 300 characters, dotted/empty/control-character names',
      objects: [{ key: objectKey('100000000003', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: 6,
      deadLetters: 1,
      reason: 'folded-keys',
      months: ['2024-06'],
      transform: { documents: 6, error: 'hostile top-level keys' },
    });
  }
  {
    const p = 'hostile-spray-';
    const count = full ? 240_000 : 1200;
    const start = Date.UTC(1925, 0, 1);
    const step = (100 * 365.25 * 86_400_000) / count;
    const events = Array.from({ length: count }, (_, i) =>
      event(`${p}${i}`, '100000000004', { eventTime: new Date(start + i * step).toISOString() }),
    );
    events.push(
      event(`${p}y50`, '100000000004', { eventTime: '0050-01-01T00:30:00+01:00' }),
      event(`${p}y9999`, '100000000004', { eventTime: '9999-12-31T23:59:59Z' }),
    );
    cases.push({
      kind: 'index spray',
      description: `${count} events spread over a century, plus years 0050 and 9999`,
      objects: [{ key: objectKey('100000000004', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: count + 2,
      deadLetters: 1,
      reason: 'event-time-outside-window',
      // An event from late May 2024 falls inside the 31-day window, so its own month is right.
      months: ['2024-05', '2024-06'],
      transform: { documents: count + 2, error: 'outside EVENT_TIME_WINDOW_DAYS' },
    });
  }
  {
    const p = 'hostile-rootkey-';
    const length = full ? 300 * MB : 40 * MB;
    const text = `{"${'k'.repeat(length)}":1,"Records":${JSON.stringify([event(`${p}0`, '100000000005')])}}`;
    cases.push({
      kind: 'root key beside Records',
      description: `a top-level key name of ${length / MB} MB before Records`,
      objects: [{ key: objectKey('100000000005', p), body: gz(text) }],
      eventIdPrefix: p,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'a top-level key name is longer than 1024 bytes',
      months: [],
      transform: { documents: 0, error: 'a top-level key name is longer than 1024 bytes' },
    });
  }
  {
    const p = 'hostile-rootvalue-';
    const length = full ? 300 * MB : 40 * MB;
    const events = Array.from({ length: 10 }, (_, i) => event(`${p}${i}`, '100000000006'));
    const text = `{"junk":"${'v'.repeat(length)}","Records":${JSON.stringify(events)}}`;
    cases.push({
      kind: 'root value beside Records',
      description: `a top-level string value of ${length / MB} MB before Records (streamed past, never held)`,
      objects: [{ key: objectKey('100000000006', p), body: gz(text) }],
      eventIdPrefix: p,
      indexedEvents: 10,
      deadLetters: 0,
      months: ['2024-06'],
      transform: { documents: 10 },
    });
  }
  {
    const p = 'hostile-overwrite-';
    const victim = Array.from({ length: 5 }, (_, i) => event(`${p}${i}`, '100000000007'));
    const forged = [
      ...victim.slice(0, 3).map((real) => ({
        ...real,
        userIdentity: { type: 'Root', arn: 'arn:aws:iam::100000000007:root', userName: 'someone-else' },
        recipientAccountId: '100000000007',
      })),
      event(`${p}new-0`, '100000000008', { recipientAccountId: '100000000007' }),
      // Redelivered unchanged within the forger's file: the same content, a no-op.
      victim[4],
    ];
    cases.push({
      kind: 'cross-file overwrite',
      description:
        "5 events indexed from one account's file, then a file under another account's prefix bringing 3 of their eventIDs with other content",
      objects: [{ key: objectKey('100000000007', `${p}victim`), body: gz(records(victim)) }],
      eventIdPrefix: p,
      // The victim's 5, and the forger's one new event; the 3 forged ones are not written.
      indexedEvents: 6,
      deadLetters: 0,
      months: ['2024-06'],
    });
    cases.push({
      kind: 'cross-file overwrite: the forger',
      description: "the forger's file: 3 taken eventIDs with other content, 1 new event, 1 unchanged copy",
      objects: [{ key: objectKey('100000000008', `${p}forger`), body: gz(records(forged)) }],
      after: 'cross-file overwrite',
      eventIdPrefix: `${p}forger-none-`,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'id-conflict',
      months: ['2024-06'],
    });
  }
  {
    const p = 'hostile-repeat-';
    const key = objectKey('100000000009', p);
    const events = Array.from({ length: 50 }, (_, i) => event(`${p}${i}`, '100000000009'));
    cases.push({
      kind: 'one message, 2,000 mentions',
      description: 'a CloudTrail SNS body naming the same key 2,000 times, and one naming 101 distinct keys',
      objects: [{ key, body: gz(records(events)) }],
      messages: [
        JSON.stringify({ s3Bucket: '{bucket}', s3ObjectKey: Array.from({ length: 2000 }, () => key) }),
        JSON.stringify({
          s3Bucket: '{bucket}',
          s3ObjectKey: Array.from({ length: 101 }, (_, i) => `${key}.${i}`),
        }),
      ],
      eventIdPrefix: p,
      indexedEvents: 50,
      deadLetters: 1,
      reason: 'MAX_OBJECTS_PER_MESSAGE',
      months: ['2024-06'],
    });
  }
  {
    const p = 'hostile-gzipbomb-';
    const bytes = full ? 20 * 1024 * MB : 256 * MB;
    cases.push({
      kind: 'gzip bomb',
      description: `${bytes / MB} MB of whitespace inside Records`,
      objects: [{ key: objectKey('100000000010', p), body: whitespaceBomb(bytes) }],
      eventIdPrefix: p,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'decompressed-too-large',
      months: [],
      transform: { documents: 0, error: 'MAX_DECOMPRESSED_BYTES' },
    });
  }
  {
    const p = 'hostile-surrogate-';
    const events = [
      ...Array.from({ length: 14 }, (_, i) => event(`${p}${i}`, '100000000011')),
      ...['\ud800', '\ud801', '\udfff'].map((s) => event(`${p}x${s}`, '100000000011')),
    ];
    cases.push({
      kind: 'lone surrogates in eventID',
      description: '17 events, 3 of whose eventIDs differ only in a lone surrogate',
      objects: [{ key: objectKey('100000000011', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: 17,
      deadLetters: 0,
      months: ['2024-06'],
      transform: { documents: 17 },
    });
  }
  {
    const p = 'hostile-newline-';
    const legit = objectKey('100000000012', `${p}legit`);
    const events = [event(`${p}0`, '100000000012')];
    cases.push({
      kind: 'control characters in a key',
      description: 'an object whose key holds "\\ns3://BUCKET/<a legit key>", beside that legit file',
      objects: [
        { key: legit, body: gz(records(events)) },
        { key: `${objectKey('100000000012', `${p}forged`)}\ns3://{bucket}/${legit}`, body: gz(records([])) },
      ],
      eventIdPrefix: p,
      indexedEvents: 1,
      deadLetters: 1,
      reason: 'contains control characters',
      months: ['2024-06'],
    });
  }
  {
    const p = 'hostile-foreign-';
    cases.push({
      kind: 'foreign bucket',
      description: 'a notification naming a bucket the worker cannot read',
      objects: [],
      messages: [
        JSON.stringify({ s3Bucket: 'someone-elses-bucket-x1', s3ObjectKey: [objectKey('100000000013', p)] }),
      ],
      eventIdPrefix: p,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'object-missing',
      months: [],
    });
  }
  {
    const p = 'hostile-garbage-';
    const events = [event(`${p}0`, '100000000014')];
    cases.push({
      kind: 'gzip trailing garbage',
      description: 'a valid gzip member followed by bytes that are not gzip',
      objects: [
        {
          key: objectKey('100000000014', p),
          body: Buffer.concat([gz(records(events)), Buffer.from('garbage!')]),
        },
      ],
      eventIdPrefix: p,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'corrupt-gzip',
      months: ['2024-06'],
      transform: {
        documents: 0,
        error: 'gzip data does not decompress (incorrect header check) within the first',
      },
    });
  }
  {
    const p = 'hostile-deep-';
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
    const text = `{"Records":[${JSON.stringify(event(`${p}0`, '100000000015')).slice(0, -1)},"x":${deep}}]}`;
    cases.push({
      kind: 'nesting 600 deep',
      description: 'a record nesting 600 levels (the splitter stops at 512)',
      objects: [{ key: objectKey('100000000015', p), body: gz(text) }],
      eventIdPrefix: p,
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'nests deeper than 512',
      months: [],
      transform: { documents: 0, error: 'JSON nests deeper than 512 levels' },
    });
  }
  {
    const p = 'hostile-bigrecord-';
    const events = [
      event(`${p}0`, '100000000016'),
      event(`${p}1`, '100000000016', { requestParameters: { blob: 'b'.repeat(20 * MB) } }),
    ];
    cases.push({
      kind: 'record over 16 MB',
      description: 'a 20 MB record after a normal one',
      objects: [{ key: objectKey('100000000016', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      // The worker fails the file before its first batch is sent; transform has printed record 1 by then.
      indexedEvents: 0,
      deadLetters: 1,
      reason: 'record-too-large',
      months: ['2024-06'],
      transform: { documents: 1, error: 'record 2 is larger than 16777216 bytes' },
    });
  }
  {
    const p = 'hostile-account-';
    const events = Array.from({ length: 3 }, (_, i) =>
      event(`${p}${i}`, '100000000017', { recipientAccountId: '999999999999' }),
    );
    cases.push({
      kind: 'foreign recipientAccountId',
      description:
        "3 events naming another account than the key's (counted and logged, indexed: copies of real trails do this)",
      objects: [{ key: objectKey('100000000017', p), body: gz(records(events)) }],
      eventIdPrefix: p,
      indexedEvents: 3,
      deadLetters: 0,
      months: ['2024-06'],
      transform: { documents: 3 },
    });
  }
  {
    // Other encodings and formats: each refused with its reason, none retried.
    const formats: Array<[string, string, Buffer, string, string]> = [
      [
        'invalid UTF-8 in a record',
        'hostile-utf8-',
        Buffer.concat([
          Buffer.from(
            `{"Records":[${JSON.stringify(event('hostile-utf8-0', '100000000018')).slice(0, -1)},"x":"`,
          ),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}]}'),
        ]),
        'invalid-json',
        'record 1 is not valid UTF-8 text',
      ],
      [
        'UTF-16 text',
        'hostile-utf16-',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(records([event('hostile-utf16-0', '100000000019')]), 'utf16le'),
        ]),
        'invalid-json',
        'expected a JSON object',
      ],
      [
        'a JSON array of events',
        'hostile-array-',
        Buffer.from(JSON.stringify([event('hostile-array-0', '100000000020')])),
        'not-cloudtrail',
        'the JSON is an array',
      ],
      [
        'a zip archive',
        'hostile-zip-',
        Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(64, 0)]),
        'invalid-json',
        'expected a JSON object',
      ],
    ];
    for (const [kind, p, plain, reason, error] of formats) {
      const account = `1000000000${20 + cases.length}`;
      cases.push({
        kind,
        description: kind,
        // A zip is uploaded as it is; the rest gzipped, as CloudTrail delivers.
        objects: [{ key: objectKey(account, p), body: kind === 'a zip archive' ? plain : gz(plain) }],
        eventIdPrefix: p,
        indexedEvents: 0,
        deadLetters: 1,
        reason,
        months: [],
        transform: { documents: 0, error },
      });
    }
  }
  return cases;
}
