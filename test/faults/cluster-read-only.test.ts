import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { cleanOutcome, createScenario, type Scenario, until } from './harness/scenario.ts';

const BLOCK_MS = 20_000;

/**
 * Two blocks, each for a while: `index.blocks.write` (an operator's read-only switch, 403) and
 * `index.blocks.read_only_allow_delete`, the block the disk flood-stage watermark puts on every
 * index (429). That one is set directly: the test node runs with disk thresholds disabled
 * (`scripts/stack`), and filling a real disk is no way to test.
 */
describe('fault: the cluster becomes read-only for a while', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('read-only', 'index write block, then flood-stage block');
  });

  afterAll(async () => {
    await setBlock(scenario.stack.env.OPENSEARCH_URL, `${scenario.fixture.indexPrefix}-*`, {
      'index.blocks.write': null,
      'index.blocks.read_only_allow_delete': null,
    }).catch(() => undefined);
    await scenario?.cleanup();
  });

  it('waits the block out and indexes every event exactly once', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    const index = `${scenario.fixture.indexPrefix}-*`;
    const worker = await scenario.startWorker();
    await scenario.upload(syntheticLogFile(1_000, 'read-only-first'));
    await until(
      'the index exists',
      async () => (await countDocuments(url, scenario.pattern)) >= 1_000,
      60_000,
    );

    for (const [setting, expected] of [
      ['index.blocks.write', /FORBIDDEN\/8\/index write/],
      [
        'index.blocks.read_only_allow_delete',
        /TOO_MANY_REQUESTS\/12\/disk usage exceeded flood-stage watermark/,
      ],
    ] as const) {
      await setBlock(url, index, { [setting]: true });
      const blockedAt = Date.now();
      for (let n = 1; n <= 3; n++)
        await scenario.upload(syntheticLogFile(1_000, `read-only-${setting}-${n}`));
      await worker.waitForLog(
        (line) =>
          line.msg === 'bulk write will be retried' &&
          line.kind === 'blocked' &&
          expected.test(String(line.reason)),
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, BLOCK_MS - (Date.now() - blockedAt))));
      await setBlock(url, index, { [setting]: null });
      await scenario.waitForIngestion(240_000);
    }

    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
  });
});

async function setBlock(url: string, index: string, settings: Record<string, boolean | null>): Promise<void> {
  const response = await fetch(`${url}/${index}/_settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!response.ok)
    throw new Error(`setting ${JSON.stringify(settings)}: HTTP ${response.status} ${await response.text()}`);
}
