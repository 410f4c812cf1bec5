import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { cleanOutcome, createScenario, type Scenario } from './harness/scenario.ts';

describe('fault: OpenSearch answers a burst of 429s and 503s', () => {
  let scenario: Scenario;
  let proxy: FaultProxy;

  beforeAll(async () => {
    scenario = await createScenario('throttling', 'burst of 429 / 503 (fault proxy)');
    proxy = await startFaultProxy(scenario.stack.env.OPENSEARCH_URL);
  });

  afterAll(async () => {
    await scenario?.cleanup();
    await proxy?.close();
  });

  it('retries what was refused and indexes every event exactly once', async () => {
    const worker = await scenario.startWorker({ OPENSEARCH_URL: proxy.url, BULK_MAX_DOCUMENTS: '500' });
    const bulk = /^\/_bulk/;
    // Whole requests refused, then bulk responses in which some items were refused although others
    // were applied (a re-send must overwrite them, not add to them).
    proxy.inject({ method: 'POST', path: bulk, status: 429, times: 6 });
    proxy.inject({ method: 'POST', path: bulk, status: 503, times: 6 });
    proxy.inject({ method: 'POST', path: bulk, kind: 'reject-items', status: 429, every: 2, times: 4 });
    proxy.inject({ method: 'POST', path: bulk, kind: 'reject-items', status: 503, every: 3, times: 4 });
    for (let n = 1; n <= 8; n++) await scenario.upload(syntheticLogFile(2_000, `throttling-${n}`));

    await scenario.waitForIngestion(180_000);
    const verdict = await scenario.verify(0);
    const injected = proxy.requests.filter((request) => request.injected).length;
    console.log(`faults: ${injected} bulk responses carried injected failures`);
    expect(injected).toBe(20);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    const retried = worker.logs().filter((line) => line.msg === 'bulk write will be retried');
    expect(new Set(retried.map((line) => line.kind))).toEqual(new Set(['throttled', 'unavailable']));
  });
});
