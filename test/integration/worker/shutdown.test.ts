import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctIds } from '../../helpers/cloudtrail-files.ts';
import { countDocuments, documentIds, waitForCount } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();

describe('worker shutdown with a large file in flight', () => {
  let fixture: QueueFixture;

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'shutdown');
  });

  afterAll(async () => {
    await fixture?.cleanup();
  });

  // Its own waits (up to 180 s for the restart) bound it, not the project's 120 s: at a load of 20 it
  // timed out there, and its second worker, never stopped, then took the next test's message.
  it('releases the unfinished message on SIGTERM, exits 0, and after a restart every event is there once', {
    timeout: 360_000,
  }, async () => {
    const large = syntheticLogFile(60_000, 'shutdown-large');
    // No grace: the file cannot finish, so its message must be released, not acknowledged.
    const first = startCli(['worker'], fixture.workerEnv({ SHUTDOWN_GRACE_SECONDS: '0', LOG_LEVEL: 'info' }));
    await first.waitForLog((line) => line.msg === 'worker started');
    await fixture.upload(large);
    await first.waitForLog((line) => line.msg === 'created index');
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(
      first
        .logs()
        .some(
          (line) => line.msg === 'message left on the queue for another try' && line.retryInSeconds === 0,
        ),
    ).toBe(true);
    expect(first.logs().some((line) => line.msg === 'log file indexed')).toBe(false);
    const partial = await countDocuments(stack.OPENSEARCH_URL, `${fixture.indexPrefix}-*`);
    expect(partial).toBeLessThan(large.eventIds.length);

    const second = startCli(['worker'], fixture.workerEnv({ LOG_LEVEL: 'info' }));
    try {
      const expected = distinctIds([large]).size;
      expect(await waitForCount(stack.OPENSEARCH_URL, `${fixture.indexPrefix}-*`, expected, 180_000)).toBe(
        expected,
      );
      expect(new Set(await documentIds(stack.OPENSEARCH_URL, `${fixture.indexPrefix}-*`)).size).toBe(
        expected,
      );
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });
  it('releases at once what the pending long poll still delivers after SIGTERM, instead of leaving it hidden', {
    timeout: 120_000,
  }, async () => {
    const worker = startCli(['worker'], fixture.workerEnv({ LOG_LEVEL: 'debug' }));
    // The idle worker's first receive (a 20 s long poll) is on its way: stop it, then announce a file.
    await worker.waitForLog((line) => line.msg === 'receiving' && line.waitTimeSeconds === 20);
    const exited = worker.stop('SIGTERM');
    await worker.waitForLog((line) => line.msg === 'signal received');
    // Straight to the queue, not through an S3 upload: the notification must reach SQS while that poll
    // is pending, however slow LocalStack's S3 event path is. The file is never read, only released.
    const late = syntheticLogFile(10, 'shutdown-late');
    await fixture.send(
      JSON.stringify({
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: fixture.bucket }, object: { key: late.key } },
          },
        ],
      }),
    );
    expect(await exited).toBe(0);
    expect(
      worker
        .logs()
        .some((line) => line.msg === 'message received while shutting down; released for another worker'),
    ).toBe(true);
    // Visible again now, not after the queue's 60 s visibility timeout.
    expect(await fixture.queueDepth()).toEqual({ visible: 1, inFlight: 0 });
  });
});
