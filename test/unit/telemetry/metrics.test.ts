import { describe, expect, it } from 'vitest';
import type { FailureCode } from '../../../src/core/failure-code.ts';
import type { MessageFormat, Metrics } from '../../../src/telemetry/metrics.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

/** The value of one series in the registry's text output. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const quiet = (): Metrics => createMetrics({ processMetrics: false });

describe('createMetrics', () => {
  it('exposes every series of the vocabulary at zero before anything happens', async () => {
    const metrics = quiet();
    expect(await sample(metrics, 'cloudtrail_indexer_messages_received_total{format="cloudtrail-sns"}')).toBe(
      0,
    );
    expect(await sample(metrics, 'cloudtrail_indexer_files_total{outcome="rejected"}')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_failures_total{reason="corrupt-gzip"}')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_paused{reason="manual"}')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_files_in_flight')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_bulk_request_duration_seconds_count{status="ok"}')).toBe(
      0,
    );
  });

  it('counts a finished file, its events, repairs and lag', async () => {
    const metrics = quiet();
    metrics.fileDone('indexed', { events: 120, repaired: 3, lagSeconds: 42 });
    metrics.fileDone('indexed', { events: 5, lagSeconds: 7 });
    expect(await sample(metrics, 'cloudtrail_indexer_files_total{outcome="indexed"}')).toBe(2);
    expect(await sample(metrics, 'cloudtrail_indexer_events_indexed_total')).toBe(125);
    expect(await sample(metrics, 'cloudtrail_indexer_documents_repaired_total')).toBe(3);
    expect(await sample(metrics, 'cloudtrail_indexer_ingestion_lag_seconds_count')).toBe(2);
    expect(await sample(metrics, 'cloudtrail_indexer_ingestion_lag_seconds_sum')).toBe(49);
    expect(await sample(metrics, 'cloudtrail_indexer_ingestion_lag_seconds_bucket{le="10"}')).toBe(1);
  });

  it('counts the resumed S3 reads of finished files, whatever their outcome', async () => {
    const metrics = quiet();
    expect(await sample(metrics, 'cloudtrail_indexer_s3_read_resumes_total')).toBe(0);
    metrics.fileDone('indexed', { events: 10, readResumes: 2 });
    metrics.fileDone('retry', { readResumes: 4 });
    metrics.fileDone('indexed', { events: 1 });
    expect(await sample(metrics, 'cloudtrail_indexer_s3_read_resumes_total')).toBe(6);
  });

  it('observes lag for indexed files only', async () => {
    const metrics = quiet();
    metrics.fileDone('retry', { lagSeconds: 3 });
    metrics.fileDone('skipped');
    expect(await sample(metrics, 'cloudtrail_indexer_ingestion_lag_seconds_count')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_files_total{outcome="retry"}')).toBe(1);
  });

  it('counts values outside the vocabulary under a fixed fallback instead of a new series', async () => {
    const metrics = quiet();
    metrics.failure('some-new-error' as FailureCode);
    metrics.messageReceived('carrier-pigeon' as MessageFormat);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('some-new-error');
    expect(text).not.toContain('carrier-pigeon');
    expect(await sample(metrics, 'cloudtrail_indexer_failures_total{reason="other"}')).toBe(1);
    expect(await sample(metrics, 'cloudtrail_indexer_messages_received_total{format="unrecognized"}')).toBe(
      1,
    );
  });

  it('tracks files in flight, each released once', async () => {
    const metrics = quiet();
    const first = metrics.fileStarted();
    const second = metrics.fileStarted();
    expect(await sample(metrics, 'cloudtrail_indexer_files_in_flight')).toBe(2);
    first();
    first();
    expect(await sample(metrics, 'cloudtrail_indexer_files_in_flight')).toBe(1);
    second();
    expect(await sample(metrics, 'cloudtrail_indexer_files_in_flight')).toBe(0);
  });

  it('shows which pause reasons hold', async () => {
    const metrics = quiet();
    metrics.paused(['manual', 'backpressure']);
    expect(await sample(metrics, 'cloudtrail_indexer_paused{reason="manual"}')).toBe(1);
    expect(await sample(metrics, 'cloudtrail_indexer_paused{reason="domain-change"}')).toBe(0);
    metrics.paused([]);
    expect(await sample(metrics, 'cloudtrail_indexer_paused{reason="manual"}')).toBe(0);
  });

  it('times bulk requests by status', async () => {
    const metrics = quiet();
    metrics.bulkRequest(0.2);
    metrics.bulkRequest(31, 'failed');
    expect(await sample(metrics, 'cloudtrail_indexer_bulk_request_duration_seconds_count{status="ok"}')).toBe(
      1,
    );
    expect(
      await sample(
        metrics,
        'cloudtrail_indexer_bulk_request_duration_seconds_bucket{le="30",status="failed"}',
      ),
    ).toBe(0);
  });

  it("follows the sink's running totals at each scrape", async () => {
    const metrics = quiet();
    const totals = {
      bulkRetries: 1,
      bulkSplits: 0,
      documentsFailed: 0,
      documentsInterrupted: 5,
      documentsConflicting: 3,
      documentsUnchanged: 0,
      throttled: 4,
      clusterBlocks: 0,
      indexesCreated: 2,
    };
    metrics.watchSinkTotals(totals);
    expect(await sample(metrics, 'cloudtrail_indexer_documents_conflicting_total')).toBe(3);
    expect(await sample(metrics, 'cloudtrail_indexer_documents_interrupted_total')).toBe(5);
    expect(await sample(metrics, 'cloudtrail_indexer_documents_failed_total')).toBe(0);
    expect(await sample(metrics, 'cloudtrail_indexer_throttled_total')).toBe(4);
    totals.throttled = 9;
    expect(await sample(metrics, 'cloudtrail_indexer_throttled_total')).toBe(9);
    expect(await sample(metrics, 'cloudtrail_indexer_indexes_created_total')).toBe(2);
  });

  it('keeps each registry to itself', async () => {
    const a = quiet();
    const b = quiet();
    a.fileDone('indexed', { events: 1 });
    expect(await sample(b, 'cloudtrail_indexer_events_indexed_total')).toBe(0);
  });

  it('adds the Node.js process metrics when asked', async () => {
    const metrics = createMetrics();
    expect(await metrics.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});
