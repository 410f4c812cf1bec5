import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.ts';
import { deleteIndexes, documentIds } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const indexPrefix = `t-local-${randomUUID().slice(0, 8)}`;

/** The distinct eventIDs of every .json / .json.gz log file under a folder, read independently of the product. */
function eventIdsUnder(folder: string): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') || name.endsWith('.json.gz')) {
        const raw = readFileSync(path);
        const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
        for (const record of (JSON.parse(text) as { Records: Array<{ eventID: string }> }).Records)
          ids.add(record.eventID);
      }
    }
  };
  walk(folder);
  return ids;
}

describe('backfill --local over the corpus', () => {
  let work: string | undefined;
  afterAll(async () => {
    await deleteIndexes(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('indexes one document per distinct eventID of the corpus logs/', async () => {
    work = await mkdtemp(join(tmpdir(), 'backfill-local-'));
    const run = startCli(['backfill', '--local', corpusPath('logs'), '--checkpoint', join(work, 'ckpt')], {
      ...stack,
      INDEX_PREFIX: indexPrefix,
    });
    expect(await run.exited).toBe(0);
    const expected = eventIdsUnder(corpusPath('logs'));
    const ids = await documentIds(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
    console.log(`backfill --local corpus/logs: ${ids.length} documents, ${expected.size} distinct eventIDs`);
    expect(ids).toHaveLength(expected.size);
    expect(new Set(ids)).toEqual(expected);
  });
});
