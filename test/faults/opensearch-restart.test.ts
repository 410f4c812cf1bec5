import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import {
  faultStack,
  openSearchOutageLabel,
  restartOpenSearch,
  stopOpenSearch,
} from './harness/fault-stack.ts';
import { cleanOutcome, createScenario, type Scenario, until } from './harness/scenario.ts';

const OUTAGE_MS = 60_000;

describe('fault: OpenSearch is stopped for about a minute during ingestion, then started again', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('os-restart', openSearchOutageLabel(faultStack()));
  });

  afterAll(async () => {
    await scenario?.cleanup();
  });

  it('indexes every event exactly once once the cluster is back', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    const worker = await scenario.startWorker();
    await scenario.upload(syntheticLogFile(30_000, 'os-restart-large'));
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `os-restart-before-${n}`));
    await until(
      'ingestion is under way',
      async () => (await countDocuments(url, scenario.pattern)) >= 3_000,
      120_000,
    );

    const stopped = Date.now();
    await stopOpenSearch(scenario.stack);
    // Files keep arriving while the cluster is down, some for an index that does not exist yet.
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `os-restart-during-${n}`));
    await scenario.upload(syntheticLogFile(1_000, 'os-restart-new-month', { day: '2024-07-15' }));
    await worker.waitForLog(
      (line) => line.msg === 'bulk write will be retried' || line.msg === 'request will be retried',
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stopped))));
    await restartOpenSearch(scenario.stack);
    console.log(`faults: OpenSearch was unreachable for ${Math.round((Date.now() - stopped) / 1000)} s`);

    await scenario.waitForIngestion(240_000);
    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    expect(worker.child.exitCode).toBeNull();
  });
});
