import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTrailFile, distinctIds } from '../../helpers/cloudtrail-files.ts';
import { documentIds, waitForCount } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
// The history lives in a bucket without notifications (as an old trail's bucket would): only the
// backfill announces its files, to the fixture's queue.
const source = `history-${randomUUID().slice(0, 8)}`;
const files: CloudTrailFile[] = ['111111111111', '222222222222'].flatMap((account) =>
  ['us-east-1', 'eu-west-1'].flatMap((region) =>
    ['2024-05-30', '2024-05-31'].flatMap((day) =>
      Array.from({ length: 4 }, (_, n) =>
        syntheticLogFile(40, `viaq-${account}-${region}-${day}-${n}`, { account, region, day }),
      ),
    ),
  ),
);

describe('backfill --via-queue with two workers (real LocalStack SQS and S3, real OpenSearch)', () => {
  let fixture: QueueFixture;
  let work: string;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'viaq');
    work = await mkdtemp(join(tmpdir(), 'via-queue-'));
    await fixture.s3.send(new CreateBucketCommand({ Bucket: source }));
    for (const file of files)
      await fixture.s3.send(new PutObjectCommand({ Bucket: source, Key: file.key, Body: file.body }));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    const listed = await fixture.s3.send(new ListObjectsV2Command({ Bucket: source }));
    await fixture.s3.send(
      new DeleteObjectsCommand({
        Bucket: source,
        Delete: { Objects: (listed.Contents ?? []).map((o) => ({ Key: o.Key as string })) },
      }),
    );
    await fixture.s3.send(new DeleteBucketCommand({ Bucket: source }));
    await fixture.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('indexes every selected event exactly once, resumes from what it enqueued, and status shows what remains', async () => {
    for (let n = 0; n < 2; n++) {
      const worker = startCli(['worker'], fixture.workerEnv({ LOG_LEVEL: 'info' }));
      workers.push(worker);
      await worker.waitForLog((line) => line.msg === 'worker started');
    }
    const args = [
      'backfill',
      '--via-queue',
      '--s3',
      `s3://${source}`,
      '--max-backlog',
      '10',
      '--checkpoint',
      join(work, 'enqueued.checkpoint'),
    ];
    const env = fixture.workerEnv({ LOG_LEVEL: 'info' });
    const backfill = startCli(args, env);
    expect(await backfill.exited).toBe(0);
    console.log(
      backfill
        .output()
        .split('\n')
        .filter((line) => !line.startsWith('{'))
        .join('\n'),
    );
    expect(backfill.output()).toContain(
      `${files.length} files selected, 0 already enqueued, ${files.length} enqueued, 0 failed`,
    );

    const expected = distinctIds(files);
    await waitForCount(stack.OPENSEARCH_URL, `${fixture.indexPrefix}-*`, expected.size, 120_000);
    // Let any duplicate delivery land before counting.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const ids = await documentIds(stack.OPENSEARCH_URL, `${fixture.indexPrefix}-*`);
    expect(ids).toHaveLength(expected.size);
    expect(new Set(ids)).toEqual(expected);
    const indexedBy = workers.map(
      (worker) => worker.logs().filter((line) => line.msg === 'log file indexed').length,
    );
    console.log(
      `via queue: ${ids.length} documents, ${expected.size} distinct eventIDs; files indexed per worker ${indexedBy.join(' + ')}`,
    );
    expect(indexedBy.reduce((a, b) => a + b, 0)).toBe(files.length);

    const again = startCli(args, env);
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain(
      `${files.length} files selected, ${files.length} already enqueued, 0 enqueued`,
    );

    const status = startCli(['status'], env);
    expect(await status.exited).toBe(0);
    console.log(status.output());
    expect(status.output()).toMatch(new RegExp(`Backfill\\s+via queue from s3://${source}/: done`));
    expect(status.output()).toMatch(new RegExp(`enqueued\\s+${files.length} of ${files.length} files`));
    expect(status.output()).toMatch(/remaining\s+about 0 files: 0 to enqueue \+ 0 in the queue/);
  }, 300_000);
});
