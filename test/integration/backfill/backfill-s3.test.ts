import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClients } from '../../../scripts/stack/resources.ts';
import { parseSelection } from '../../../src/backfill/selection.ts';
import { type ListingStats, listLogFiles } from '../../../src/sources/s3/list-log-files.ts';
import { type CloudTrailFile, distinctIds } from '../../helpers/cloudtrail-files.ts';
import { corpusPath } from '../../helpers/corpus.ts';
import { countDocuments, deleteIndexes, documentIds } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const { s3 } = localClients({ endpoint: stack.AWS_ENDPOINT_URL, region: stack.AWS_REGION });
const id = randomUUID().slice(0, 8);
const bucket = `backfill-${id}`;
const indexPrefix = `t-backfill-${id}`;
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

// A bucket with several accounts, regions and days, an organization trail, digest files and an
// Insights file, all under a bucket prefix.
const prefix = 'trails/';
const selected = [
  syntheticLogFile(300, 'a-use1-0531', {
    account: A,
    region: 'us-east-1',
    day: '2024-05-31',
    keyPrefix: prefix,
  }),
  syntheticLogFile(200, 'a-use1-0531-b', {
    account: A,
    region: 'us-east-1',
    day: '2024-05-31',
    keyPrefix: prefix,
  }),
];
const insight: CloudTrailFile = (() => {
  // Its events moved to the day of its key: an eventTime years before the delivery is not believed.
  const text = readFileSync(
    corpusPath('insights/awsdocs_cloudtrail-log-file-examples_insights-records.json'),
    'utf8',
  ).replaceAll('"2019-11-14T', '"2024-05-31T');
  const records = (JSON.parse(text) as { Records: Array<{ eventID: string }> }).Records;
  return {
    key: `${prefix}AWSLogs/${A}/CloudTrail-Insight/us-east-1/2024/05/31/${A}_CloudTrail-Insight_us-east-1_20240531T1200Z_insight0000000001.json.gz`,
    body: gzipSync(text),
    eventIds: records.map((r) => r.eventID),
  };
})();
const others = [
  syntheticLogFile(100, 'a-use1-0530', {
    account: A,
    region: 'us-east-1',
    day: '2024-05-30',
    keyPrefix: prefix,
  }),
  syntheticLogFile(100, 'a-use1-0601', {
    account: A,
    region: 'us-east-1',
    day: '2024-06-01',
    keyPrefix: prefix,
  }),
  syntheticLogFile(100, 'a-euw1-0531', {
    account: A,
    region: 'eu-west-1',
    day: '2024-05-31',
    keyPrefix: prefix,
  }),
  syntheticLogFile(100, 'b-use1-0531', {
    account: B,
    region: 'us-east-1',
    day: '2024-05-31',
    keyPrefix: prefix,
  }),
  syntheticLogFile(100, 'c-org-0531', {
    account: C,
    region: 'us-east-1',
    day: '2024-05-31',
    keyPrefix: prefix,
    organizationId: 'o-abc123def4',
  }),
];
const digest = {
  key: `${prefix}AWSLogs/${A}/CloudTrail-Digest/us-east-1/2024/05/31/${A}_CloudTrail-Digest_us-east-1_trail_us-east-1_20240531T235500Z.json.gz`,
  body: gzipSync(readFileSync(corpusPath('digests/awsdocs_digest-file-structure_example1.json'))),
};

describe('backfill from S3 (real LocalStack S3, real OpenSearch)', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'backfill-'));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const file of [...selected, insight, ...others, digest]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body }));
    }
  });

  afterAll(async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: (listed.Contents ?? []).map((o) => ({ Key: o.Key as string })) },
      }),
    );
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await deleteIndexes(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
    await rm(work, { recursive: true, force: true });
  });

  it('lists only the prefixes of the selection (counted)', async () => {
    const stats: ListingStats = { requests: 0, leafPrefixes: [] };
    const selection = parseSelection({
      from: '2024-05-31',
      to: '2024-05-31',
      account: [A],
      region: ['us-east-1'],
    });
    const keys: string[] = [];
    for await (const object of listLogFiles(s3, { bucket, prefix: 'trails' }, selection, { stats }))
      keys.push(object.key);
    expect(keys.sort()).toEqual([...selected, insight].map((f) => f.key).sort());
    expect(stats.leafPrefixes.sort()).toEqual([
      `${prefix}AWSLogs/${A}/CloudTrail-Insight/us-east-1/2024/05/31/`,
      `${prefix}AWSLogs/${A}/CloudTrail/us-east-1/2024/05/31/`,
    ]);
    // AWSLogs/, the organization folder, A's CloudTrail/ and CloudTrail-Insight/ regions, their years, two days.
    expect(stats.requests).toBe(8);
  });

  it('finds the organization trail and every account when nothing is filtered', async () => {
    const keys: string[] = [];
    for await (const object of listLogFiles(s3, { bucket, prefix }, parseSelection({})))
      keys.push(object.key);
    expect(keys.sort()).toEqual([...selected, insight, ...others].map((f) => f.key).sort());
  });

  it('indexes exactly the events of the selection, and a second run changes nothing', async () => {
    const args = [
      'backfill',
      '--s3',
      `s3://${bucket}/trails`,
      '--from',
      '2024-05-31',
      '--to',
      '2024-05-31',
      '--account',
      A,
      '--region',
      'us-east-1',
      '--checkpoint',
      join(work, 'selection.checkpoint'),
    ];
    const env = { ...stack, INDEX_PREFIX: indexPrefix };
    const first = startCli(args, env);
    expect(await first.exited).toBe(0);
    const expected = distinctIds([...selected, insight]);
    expect(new Set(await documentIds(stack.OPENSEARCH_URL, `${indexPrefix}-*`))).toEqual(expected);
    expect(await countDocuments(stack.OPENSEARCH_URL, `${indexPrefix}-insights-*`)).toBe(
      new Set(insight.eventIds).size,
    );
    expect(first.output()).toMatch(/3 files selected, 0 already done, 3 indexed/);

    const second = startCli(args, env);
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/3 files selected, 3 already done, 0 indexed/);
    expect(await countDocuments(stack.OPENSEARCH_URL, `${indexPrefix}-*`)).toBe(expected.size);
  });

  it('describes the selection without indexing on --dry-run', async () => {
    const run = startCli(['backfill', '--s3', `s3://${bucket}/trails`, '--dry-run'], {
      ...stack,
      INDEX_PREFIX: `${indexPrefix}-dry`,
    });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Would load 8 files');
    expect(run.output()).toMatch(new RegExp(`${C}\\s+us-east-1\\s+2024-05\\s+1 files`));
    expect(await countDocuments(stack.OPENSEARCH_URL, `${indexPrefix}-dry-*`)).toBe(0);
  });

  it('resumes after an interruption from its checkpoint, with no duplicate', async () => {
    const many = Array.from({ length: 16 }, (_, i) =>
      syntheticLogFile(3000, `resume-${i}`, {
        account: '444444444444',
        region: 'us-west-2',
        day: '2024-07-01',
      }),
    );
    for (const file of many)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body }));
    const checkpoint = join(work, 'resume.checkpoint');
    const args = [
      'backfill',
      '--s3',
      `s3://${bucket}`,
      '--account',
      '444444444444',
      '--concurrency',
      '2',
      '--checkpoint',
      checkpoint,
    ];
    const env = { ...stack, INDEX_PREFIX: `t-resume-${id}` };
    const first = startCli(args, env);
    await first.waitForLog((line) => line.msg === 'log file indexed');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    // The header line, then one line per completed file.
    const done = (await readFile(checkpoint, 'utf8')).split('\n').slice(1).filter(Boolean);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(many.length);

    const second = startCli(args, env);
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain(`${many.length} files selected, ${done.length} already done`);
    const ids = await documentIds(stack.OPENSEARCH_URL, `t-resume-${id}-*`);
    expect(ids).toHaveLength(distinctIds(many).size);
    expect(new Set(ids)).toEqual(distinctIds(many));
    await deleteIndexes(stack.OPENSEARCH_URL, `t-resume-${id}-*`);
  }, 300_000);
});
