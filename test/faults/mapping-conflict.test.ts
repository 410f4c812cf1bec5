import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import { withEventChanged } from './harness/log-files.ts';
import { cleanOutcome, createScenario, type Scenario } from './harness/scenario.ts';

const FIELD = 'userIdentity.sessionContext.webIdFederationData';

describe('fault: a mapping conflict between two files of the same month', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await createScenario('mapping', 'mapping conflict (object vs string)');
  });

  afterAll(async () => {
    await scenario?.cleanup();
  });

  it('keeps both documents searchable and marks the repaired one', async () => {
    const url = scenario.stack.env.OPENSEARCH_URL;
    // The same field as an object in one event and as a string in another: whichever comes first
    // decides the dynamic mapping, and the other one no longer fits.
    const setFederation = (value: unknown) => (event: Record<string, unknown>) => {
      const identity = event.userIdentity as Record<string, unknown>;
      identity.sessionContext = {
        ...(identity.sessionContext as Record<string, unknown> | undefined),
        webIdFederationData: value,
      };
    };
    const first = withEventChanged(
      syntheticLogFile(500, 'mapping-object'),
      7,
      setFederation({
        federatedProvider: 'cognito-identity.amazonaws.com',
        attributes: { amr: 'authenticated' },
      }),
    );
    const second = withEventChanged(
      syntheticLogFile(500, 'mapping-string'),
      11,
      setFederation('cognito-identity.amazonaws.com'),
    );
    const worker = await scenario.startWorker();
    await scenario.upload(first);
    await worker.waitForLog(
      (line) => line.msg === 'log file indexed' && String(line.file).endsWith(first.key),
    );
    await scenario.upload(second);
    await scenario.waitForIngestion(120_000);

    const verdict = await scenario.verify(0);
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    const objectId = first.eventIds[7] as string;
    const stringId = second.eventIds[11] as string;
    for (const id of [objectId, stringId])
      expect(await search(url, scenario.pattern, { term: { eventID: id } })).toHaveLength(1);
    const repaired = await search(url, scenario.pattern, { term: { 'indexerRepair.fields': FIELD } });
    expect(repaired.map((hit) => hit._source.eventID)).toEqual([stringId]);
    expect(repaired[0]?._source.indexerRepair).toMatchObject({
      fields: [FIELD],
      values: expect.stringContaining('cognito-identity.amazonaws.com'),
    });
    const summary = worker
      .logs()
      .find((line) => line.msg === 'log file indexed' && String(line.file).endsWith(second.key));
    expect(summary).toMatchObject({ events: 500, repaired: 1 });
  });
});

async function search(
  url: string,
  pattern: string,
  query: unknown,
): Promise<Array<{ _source: Record<string, unknown> & { eventID: string } }>> {
  const response = await fetch(`${url}/${pattern}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, size: 10 }),
  });
  const body = (await response.json()) as {
    hits: { hits: Array<{ _source: Record<string, unknown> & { eventID: string } }> };
  };
  return body.hits.hits;
}
