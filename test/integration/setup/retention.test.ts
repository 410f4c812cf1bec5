import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteIndexes } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const prefix = `t-retention-${randomUUID().slice(0, 8)}`;
const env = { OPENSEARCH_URL: stack.OPENSEARCH_URL, INDEX_PREFIX: prefix };

/** `YYYY-MM` of the UTC month `monthsAgo` months before this one, computed independently of the code under test. */
function month(monthsAgo: number): string {
  const now = new Date();
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

const KEEP_MONTHS = 6;
const monthIndexes = Array.from({ length: 15 }, (_, monthsAgo) => ({
  name: `${prefix}-${month(monthsAgo)}`,
  monthsAgo,
}));
const insightIndexes = [2, 10].map((monthsAgo) => ({
  name: `${prefix}-insights-${month(monthsAgo)}`,
  monthsAgo,
}));
/** Under the prefix's pattern, but with no month of ours in the name: never deleted. */
const otherIndexes = [`${prefix}-undated`, `${prefix}-prod-2001-01`];
/** Every event of a month N+1 or more months ago is older than N months. */
const expected = [...monthIndexes, ...insightIndexes]
  .filter(({ monthsAgo }) => monthsAgo >= KEEP_MONTHS + 1)
  .map(({ name }) => name)
  .sort();
const all = [
  ...monthIndexes.map(({ name }) => name),
  ...insightIndexes.map(({ name }) => name),
  ...otherIndexes,
];

async function existing(): Promise<string[]> {
  const response = await fetch(`${stack.OPENSEARCH_URL}/_cat/indices/${prefix}-*?format=json&h=index`);
  return ((await response.json()) as Array<{ index: string }>).map(({ index }) => index).sort();
}

async function retention(args: string[]): Promise<{ code: number | string; output: string }> {
  const process = startCli(['retention', ...args], env);
  return { code: await process.exited, output: process.output() };
}

const listed = (output: string, verb: string): string[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith(`  ${verb}  `))
    .map((line) => line.slice(verb.length + 4).split(' ')[0] ?? '')
    .sort();

describe('retention --keep-months against real OpenSearch', () => {
  beforeAll(async () => {
    for (const index of all) {
      const response = await fetch(`${stack.OPENSEARCH_URL}/${index}`, { method: 'PUT' });
      expect(response.status, index).toBe(200);
    }
    await fetch(`${stack.OPENSEARCH_URL}/${monthIndexes[14]?.name}/_doc/1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"eventName":"ConsoleLogin"}',
    });
  });

  afterAll(async () => {
    await deleteIndexes(stack.OPENSEARCH_URL, `${prefix}-*`);
  });

  it('--dry-run lists exactly the indexes whose month is older than N months, and deletes nothing', async () => {
    expect(expected).toHaveLength(9);
    const run = await retention(['--keep-months', String(KEEP_MONTHS), '--dry-run']);
    expect(run.code, run.output).toBe(0);
    expect(listed(run.output, 'would delete')).toEqual(expected);
    expect(run.output).toContain(`from ${month(KEEP_MONTHS)} on.`);
    expect(run.output).toContain(`keep  ${otherIndexes[0]}  (no month in its name)`);
    expect(run.output).toContain(`keep  ${otherIndexes[1]}  (no month in its name)`);
    expect(run.output).toContain(`${monthIndexes[14]?.name}  (1 document,`);
    expect(run.output).toMatch(
      /Dry run: 9 indexes \(1 document, [\d.]+ KB\) would be deleted; nothing was deleted\./,
    );
    expect(await existing()).toEqual([...all].sort());
  });

  it('deletes only those, and a second run finds nothing to delete', async () => {
    const run = await retention(['--keep-months', String(KEEP_MONTHS)]);
    expect(run.code, run.output).toBe(0);
    expect(listed(run.output, 'deleted')).toEqual(expected);
    expect(run.output).toContain('Deleted 9 indexes');
    expect(await existing()).toEqual(all.filter((name) => !expected.includes(name)).sort());

    const again = await retention(['--keep-months', String(KEEP_MONTHS)]);
    expect(again.code).toBe(0);
    expect(again.output).toContain(`Nothing to delete: no month index is older than ${month(KEEP_MONTHS)}.`);
  });

  it('refuses a --keep-months that is not a whole number of 1 or more', async () => {
    for (const value of ['0', 'twelve', '-3']) {
      const run = await retention(['--keep-months', value]);
      expect(run.code, value).toBe(2);
      expect(run.output).toContain('error: --keep-months must be a whole number from 1 to 1200');
    }
  });
});
