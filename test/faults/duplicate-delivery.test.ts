import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailFile } from '../helpers/cloudtrail-files.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { s3Notification } from './harness/notifications.ts';
import { cleanOutcome, createScenario, type Scenario } from './harness/scenario.ts';

const EXTRA_DELIVERIES = 3;

describe('fault: every notification is delivered several times, and two workers share the queue', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('duplicates', 'each notification x4, two workers at once');
  });

  afterAll(async () => {
    await scenario?.cleanup();
  });

  it('indexes every event exactly once', async () => {
    const workers = [await scenario.startWorker(), await scenario.startWorker()];
    // Two months, so both workers also race to create the same new indexes.
    const files: CloudTrailFile[] = Array.from({ length: 8 }, (_, n) =>
      syntheticLogFile(1_500, `duplicates-${n}`, { day: n % 2 === 0 ? '2024-05-31' : '2024-06-15' }),
    );
    for (const file of files) {
      await scenario.upload(file);
      for (let copy = 0; copy < EXTRA_DELIVERIES; copy++)
        await scenario.fixture.send(s3Notification(scenario.fixture.bucket, file.key));
    }

    await scenario.waitForIngestion(180_000);
    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    const indexedBy = workers.map(
      (worker) => worker.logs().filter((line) => line.msg === 'log file indexed').length,
    );
    console.log(
      `faults: ${files.length} files x ${EXTRA_DELIVERIES + 1} deliveries indexed ${indexedBy.join(' + ')} times by the two workers`,
    );
    expect(indexedBy.reduce((sum, n) => sum + n, 0)).toBe(files.length * (EXTRA_DELIVERIES + 1));
    for (const count of indexedBy) expect(count).toBeGreaterThan(0);
  });
});
