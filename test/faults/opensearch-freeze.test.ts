import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import {
  faultStack,
  freezeOpenSearch,
  openSearchFreezeLabel,
  thawOpenSearch,
} from './harness/fault-stack.ts';
import { cleanOutcome, createScenario, type Scenario, until } from './harness/scenario.ts';

const FREEZE_MS = 30_000;
/** Well inside the freeze, so that bulk requests time out, are sent again, and time out again. */
const REQUEST_TIMEOUT_SECONDS = 8;

/**
 * A hung node (a stop-the-world pause, a host frozen by its hypervisor, a paused container): connections
 * are still accepted and requests still taken in, but nothing answers. The worker gives up on its bulk
 * requests after OPENSEARCH_REQUEST_TIMEOUT_SECONDS and sends them again; once the node goes on, it
 * applies the abandoned requests as well as their re-sends, so each document arrives twice or more, and
 * must still be there once.
 */
describe('fault: OpenSearch freezes for about 30 s during ingestion, then goes on', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('os-freeze', openSearchFreezeLabel(faultStack()));
  });

  afterAll(async () => {
    if (scenario) thawOpenSearch(scenario.stack);
    await scenario?.cleanup();
  });

  it('indexes every event exactly once after the timed-out requests are applied late', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    const worker = await scenario.startWorker({
      OPENSEARCH_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
      BULK_MAX_DOCUMENTS: '500',
    });
    await scenario.upload(syntheticLogFile(12_000, 'os-freeze-large'));
    for (const n of [1, 2]) await scenario.upload(syntheticLogFile(1_000, `os-freeze-before-${n}`));
    await until(
      'ingestion is under way',
      async () => (await countDocuments(url, scenario.pattern)) >= 2_000,
      120_000,
    );

    await freezeOpenSearch(scenario.stack);
    const frozenAt = Date.now();
    for (const n of [1, 2]) await scenario.upload(syntheticLogFile(1_000, `os-freeze-during-${n}`));
    const timedOut = await worker.waitForLog(
      (line) =>
        (line.msg === 'bulk write will be retried' || line.msg === 'request will be retried') &&
        /timeout|timed out/i.test(String(line.reason)),
      FREEZE_MS + 30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, FREEZE_MS - (Date.now() - frozenAt))));
    thawOpenSearch(scenario.stack);
    console.log(
      `faults: OpenSearch was frozen for ${Math.round((Date.now() - frozenAt) / 1000)} s; the worker's first timeout: ${String(timedOut.reason)}`,
    );

    // The large file is often read again from its start (see test/faults/README.md): at a load of 30
    // that took over 4 minutes.
    await scenario.waitForIngestion(420_000);
    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    expect(worker.child.exitCode).toBeNull();
    // Re-sends found documents already there: taken by the thawed node from abandoned requests (or
    // written by an earlier attempt at the same file, when one was retried whole).
    const indexed = worker.logs().filter((line) => line.msg === 'log file indexed');
    const alreadyThere = indexed.reduce((sum, line) => sum + Number(line.unchanged ?? 0), 0);
    const timeouts = worker.logs().filter((line) => /TimeoutError/.test(String(line.reason))).length;
    console.log(
      `faults: os-freeze: ${timeouts} requests timed out; ${alreadyThere} documents were already there when sent again`,
    );
    expect(alreadyThere).toBeGreaterThan(0);
  });
});
