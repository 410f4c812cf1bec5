import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClients } from '../../../scripts/stack/resources.ts';
import { awsRequestHandler } from '../../../src/bin/aws-request-handler.ts';
import { openS3Object } from '../../../src/sources/s3/open-s3-object.ts';
import { distinctIds } from '../../helpers/cloudtrail-files.ts';
import { type CutOptions, type CuttingProxy, startCuttingProxy } from '../../helpers/cutting-proxy.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';
import { countDocuments, deleteIndexes, documentIds } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const { s3 } = localClients({ endpoint: stack.AWS_ENDPOINT_URL, region: stack.AWS_REGION });
const id = randomUUID().slice(0, 8);
const bucket = `resumed-read-${id}`;
const indexPrefix = `t-resumed-read-${id}`;
const RESUMED = 'S3 object read broke off, resuming where it stopped';
// 30,000 events, about 4 MB gzipped: the size of the large file of the fault suite.
const file = syntheticLogFile(30_000, `resumed-read-${id}`);
// The backfill's checkpoint goes here, not to its default in the working directory (the checkout).
const work = mkdtempSync(join(tmpdir(), 'resumed-read-'));

async function readAll(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** An S3 client as the worker builds it, but reaching LocalStack through `proxy`. */
function clientThrough(proxy: CuttingProxy, timeoutSeconds: number): S3Client {
  return new S3Client({
    endpoint: proxy.url,
    region: stack.AWS_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    requestHandler: awsRequestHandler(timeoutSeconds),
  });
}

describe('an S3 read broken midway is resumed (real LocalStack S3, real SDK)', () => {
  const proxies: CuttingProxy[] = [];
  const proxy = async (cut: CutOptions): Promise<CuttingProxy> => {
    const started = await startCuttingProxy(stack.AWS_ENDPOINT_URL, cut);
    proxies.push(started);
    return started;
  };

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body }));
  });

  afterAll(async () => {
    for (const started of proxies) await started.close();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: file.key }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await deleteIndexes(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
    rmSync(work, { recursive: true, force: true });
  });

  it('indexes every event of a gzipped file exactly once when its read is reset twice (backfill)', async () => {
    const cutter = await proxy({ afterBytes: 1_000_000, times: 2, how: 'reset' });
    const run = startCli(['backfill', '--s3', `s3://${bucket}`, '--checkpoint', join(work, 'checkpoint')], {
      ...stack,
      INDEX_PREFIX: indexPrefix,
      AWS_ENDPOINT_URL_S3: cutter.url,
    });
    expect(await run.exited).toBe(0);
    expect(cutter.broken).toBe(2);
    const resumes = run.logs().filter((line) => line.msg === RESUMED);
    expect(resumes.map((line) => [line.bucket, line.key, line.attempt])).toEqual([
      [bucket, file.key, 1],
      [bucket, file.key, 1],
    ]);
    const offsets = resumes.map((line) => line.offset as number);
    console.log(`resumed at bytes ${offsets.join(', ')} of ${file.body.length}`);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets[1]).toBeGreaterThan(offsets[0] as number);
    expect(offsets[1]).toBeLessThan(file.body.length);
    // Read once: never failed and started over.
    expect(run.logs().filter((line) => line.msg === 'log file will be retried')).toEqual([]);
    // The file's summary line says its read was resumed, and how often.
    expect(run.logs().find((line) => line.msg === 'log file indexed')).toMatchObject({ readResumes: 2 });
    expect(run.output()).toMatch(/1 files selected, 0 already done, 1 indexed/);
    const expected = distinctIds([file]);
    expect(new Set(await documentIds(stack.OPENSEARCH_URL, `${indexPrefix}-*`))).toEqual(expected);
    expect(await countDocuments(stack.OPENSEARCH_URL, `${indexPrefix}-*`)).toBe(expected.size);
  });

  it('resumes a body left silent until the idle-socket timeout, with the bytes of the object exactly', async () => {
    const staller = await proxy({ afterBytes: 500_000, times: 1, how: 'stall' });
    const client = clientThrough(staller, 2);
    const { logger, records } = memoryLogger('info');
    try {
      const source = await openS3Object(client, { bucket, key: file.key }, { maxBytes: 1e9, logger });
      expect((await readAll(source)).equals(file.body)).toBe(true);
    } finally {
      client.destroy();
    }
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({
      msg: RESUMED,
      err: { message: expect.stringMatching(/socket timed out after 2000 ms of inactivity/) },
    });
    expect(records()[0]?.offset).toBeGreaterThan(0);
  });

  it('never stitches a replaced object: the resume is refused (412) and the file is object-changed', async () => {
    const cutter = await proxy({ afterBytes: 500_000, times: 1, how: 'reset' });
    const client = clientThrough(cutter, 60);
    const key = `replaced-${id}.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: file.body }));
    try {
      const source = await openS3Object(client, { bucket, key }, { maxBytes: 1e9 });
      // The resumed request waits at the proxy until the object has been replaced.
      cutter.hold();
      const replaced = cutter.brokenTimes(1).then(async () => {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('{"Records":[]}') }),
        );
        cutter.release();
      });
      const error = await readAll(source).catch((e: unknown) => e);
      await replaced;
      expect(error).toMatchObject({ name: 'ObjectError', reason: 'object-changed' });
      expect((error as Error).message).toMatch(/was replaced while it was read \(PreconditionFailed/);
    } finally {
      client.destroy();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
  });
});
