import { S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FAILURE_CODES, type FailureCode } from '../../../src/core/failure-code.ts';
import { type FileResult, FileStatus } from '../../../src/core/file-result.ts';
import { processLogFile } from '../../../src/pipeline/process-log-file.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../src/pipeline/transform-log-file.ts';
import { s3LogFileRef } from '../../../src/sources/s3/s3-log-file-ref.ts';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.ts';
import type { HandledMessage } from '../../../src/worker/handle-notification.ts';
import { recordMessageMetrics } from '../../../src/worker/record-message-metrics.ts';

const KEY =
  'AWSLogs/123456789012/CloudTrail/us-east-1/2024/06/01/123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz';

/** The failures_total series that are not zero, by reason. */
async function failuresCounted(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('cloudtrail_indexer_failures_total')?.get();
  const counted: Record<string, number> = {};
  for (const { labels, value } of metric?.values ?? []) if (value > 0) counted[String(labels.reason)] = value;
  return counted;
}

function fileResult(failure: FailureCode | undefined, status: FileStatus = FileStatus.Retry): FileResult {
  return {
    file: `s3://trail/${KEY}`,
    status,
    events: 0,
    repaired: 0,
    failed: 0,
    indexes: [],
    blocked: false,
    durationMs: 1,
    ...(failure ? { failure, reason: `${failure}: on purpose` } : {}),
  };
}

const s3Message = (files: readonly FileResult[]): HandledMessage => ({
  decision: { action: 'ack' },
  notification: { format: 's3-event', viaSns: false, objects: [] },
  files,
});

describe('recordMessageMetrics (the worker-metrics seam)', () => {
  it.each(FAILURE_CODES)('counts a file failed with %s under its own code', async (code) => {
    const metrics = createMetrics({ processMetrics: false });
    recordMessageMetrics(metrics, s3Message([fileResult(code)]));
    expect(await failuresCounted(metrics)).toEqual({ [code]: 1 });
  });

  it.each<[string, Partial<HandledMessage>, FailureCode]>([
    ['a body too large to parse', { tooLarge: true }, 'message-too-large'],
    ['a body that is no notification', {}, 'unparseable-message'],
  ])('counts a message refused for %s under its own code', async (_, refused, code) => {
    const metrics = createMetrics({ processMetrics: false });
    recordMessageMetrics(metrics, {
      decision: { action: 'dead-letter', reason: 'x' },
      files: [],
      ...refused,
    });
    expect(await failuresCounted(metrics)).toEqual({ [code]: 1 });
  });

  it('counts a message announcing too many objects, and nothing for its files that succeeded', async () => {
    const metrics = createMetrics({ processMetrics: false });
    recordMessageMetrics(metrics, {
      ...s3Message([fileResult(undefined, FileStatus.Indexed)]),
      tooManyObjects: true,
    });
    expect(await failuresCounted(metrics)).toEqual({ 'too-many-objects': 1 });
  });

  it("passes each file's resumed S3 reads on to the metrics", async () => {
    const metrics = createMetrics({ processMetrics: false });
    recordMessageMetrics(
      metrics,
      s3Message([{ ...fileResult(undefined, FileStatus.Indexed), readResumes: 3 }, fileResult(undefined)]),
    );
    const metric = await metrics.registry.getSingleMetric('cloudtrail_indexer_s3_read_resumes_total')?.get();
    expect(metric?.values.map((sample) => sample.value)).toEqual([3]);
  });

  it('counts an S3 outage as s3-unavailable, not as other', async () => {
    // A real S3 client against a port nothing listens on: the SDK's own connection error goes
    // through openS3Object, processLogFile and the worker's recording, as in an outage.
    const s3 = new S3Client({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const sink = {
      writeFile: async () => {
        throw new Error('the sink is never reached when the object cannot be opened');
      },
    };
    const result = await processLogFile(
      s3LogFileRef(s3, { bucket: 'trail', key: KEY }, { maxBytes: 1024 * 1024 }),
      {
        sink,
        transform: DEFAULT_TRANSFORM_OPTIONS,
        logger: pino({ level: 'silent' }),
      },
    );
    s3.destroy();
    expect(result).toMatchObject({ status: FileStatus.Retry, failure: 's3-unavailable' });

    const metrics = createMetrics({ processMetrics: false });
    recordMessageMetrics(metrics, s3Message([result]));
    expect(await failuresCounted(metrics)).toEqual({ 's3-unavailable': 1 });
  });
});
