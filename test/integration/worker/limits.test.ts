import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctIds } from '../../helpers/cloudtrail-files.ts';
import { countDocuments, waitForCount } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();

describe('limits hit by the worker, as its own process', () => {
  let fixture: QueueFixture;
  let worker: CliProcess;

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'limits');
    worker = startCli(
      ['worker'],
      fixture.workerEnv({ MAX_EVENTS_PER_FILE: '100', MAX_MESSAGE_BYTES: '2048', LOG_LEVEL: 'info' }),
    );
    await worker.waitForLog((line) => line.msg === 'worker started');
  });

  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  it('dead-letters a file over MAX_EVENTS_PER_FILE and a message over MAX_MESSAGE_BYTES, and goes on', async () => {
    const tooMany = syntheticLogFile(150, 'limits-too-many');
    const good = syntheticLogFile(100, 'limits-good');
    const huge = JSON.stringify({
      s3Bucket: fixture.bucket,
      s3ObjectKey: Array.from({ length: 40 }, () => good.key),
    });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(2048);
    await fixture.upload(tooMany);
    await fixture.send(huge);
    await fixture.upload(good);

    const pattern = `${fixture.indexPrefix}-*`;
    const rejected = await worker.waitForLog((line) => line.msg === 'log file rejected');
    expect(rejected.reason).toMatch(
      /^too-many-events: .* holds more than 100 events \(MAX_EVENTS_PER_FILE\)/,
    );
    await worker.waitForLog(
      (line) =>
        line.msg === 'message moved to the dead-letter queue' &&
        /MAX_MESSAGE_BYTES/.test(String(line.reason)),
    );
    await worker.waitForLog(
      (line) => line.msg === 'log file indexed' && String(line.file).endsWith(good.key),
    );
    // The events read before the limit are indexed (a redrive after raising it overwrites them).
    expect(await waitForCount(stack.OPENSEARCH_URL, pattern, 100)).toBeGreaterThanOrEqual(100);
    const indexed = await countDocuments(stack.OPENSEARCH_URL, pattern);
    expect(indexed - distinctIds([good]).size).toBeLessThanOrEqual(100);

    const dead = new Map<string, string>();
    const deadline = Date.now() + 20_000;
    while (dead.size < 2 && Date.now() < deadline) {
      for (const message of await fixture.deadLetters())
        dead.set(message.MessageId as string, message.MessageAttributes?.reason?.StringValue ?? '');
    }
    const reasons = [...dead.values()];
    expect(reasons).toHaveLength(2);
    expect(reasons.some((reason) => reason.includes('too-many-events'))).toBe(true);
    expect(reasons.some((reason) => reason.includes('MAX_MESSAGE_BYTES'))).toBe(true);
    expect(worker.child.exitCode).toBeNull();
  });
});
