import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { cleanOutcome, createScenario, type Scenario, until } from './harness/scenario.ts';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy.ts';

const CUT_MS = 30_000;

describe('fault: LocalStack (S3, SQS, SSM) becomes unreachable for about 30 s', () => {
  let scenario: Scenario;
  let proxy: TcpProxy;

  beforeAll(async () => {
    scenario = await createScenario('aws-cut', 'LocalStack unreachable ~30 s (partition)');
    proxy = await startTcpProxy(scenario.stack.env.AWS_ENDPOINT_URL);
  });

  afterAll(async () => {
    await scenario?.cleanup();
    await proxy?.close();
  });

  it('rides out the partition and indexes every event exactly once', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    // The worker reaches S3, SQS and SSM only through the proxy; the test itself talks to LocalStack.
    const worker = await scenario.startWorker({ AWS_ENDPOINT_URL: proxy.url });
    await scenario.upload(syntheticLogFile(40_000, 'aws-cut-large'));
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `aws-cut-before-${n}`));
    await until(
      'ingestion is under way',
      async () => (await countDocuments(url, scenario.pattern)) >= 2_000,
      120_000,
    );

    proxy.cut();
    const cutAt = Date.now();
    // S3 keeps announcing new files on the queue while the worker cannot reach either.
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `aws-cut-during-${n}`));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CUT_MS - (Date.now() - cutAt))));
    proxy.restore();
    console.log(`faults: ${proxy.stats.stalled} connections to LocalStack were stalled by the partition`);

    await scenario.waitForIngestion(240_000);
    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    expect(proxy.stats.stalled).toBeGreaterThan(0);
    expect(worker.child.exitCode).toBeNull();
  });
});
