import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { cleanOutcome, createScenario, type Scenario, until } from './harness/scenario.ts';

describe('fault: the worker is killed with SIGKILL in the middle of a large file', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('sigkill', 'worker SIGKILL mid-file, restarted');
  });

  afterAll(async () => {
    await scenario?.cleanup();
  });

  it('indexes every event exactly once after a restart', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    const large = syntheticLogFile(40_000, 'sigkill-large');
    const first = await scenario.startWorker();
    await scenario.upload(large);
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(500, `sigkill-small-${n}`));

    // Killed with part of the large file delivered: no drain, no release, no acknowledgement.
    await until(
      'part of the large file is indexed',
      async () => (await countDocuments(url, scenario.pattern)) >= 5_000,
      120_000,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(await countDocuments(url, scenario.pattern)).toBeLessThan(scenario.expectedIds.size);

    // The message comes back once its visibility timeout (30 s) runs out; the new worker takes it.
    await scenario.startWorker();
    await scenario.waitForIngestion(180_000);
    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
  });
});
