import { afterAll, describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import type { FileWriteResult } from '../../../../src/core/sink-port.ts';
import {
  corpusDocuments,
  corpusFiles,
  countDocuments,
  fieldCount,
  removePrefix,
  testSink,
  uniquePrefix,
} from './sink-harness.ts';

/** Files written at once, as a worker with a few files in flight would. */
const FILES_IN_FLIGHT = 4;

describe.each(['flat-object', 'dynamic'] as const)('the whole corpus in %s mode', (mode) => {
  const prefix = uniquePrefix(`corpus-${mode}`);
  const sink = testSink(prefix, { MAPPING_MODE: mode });

  afterAll(async () => {
    await removePrefix(sink.client, prefix);
    await sink.close();
  });

  it('indexes one document per distinct eventID, loses none, and reports the field count', async () => {
    expect((await sink.prepare()).mappingMode).toBe(mode);
    const ids = new Set<string>();
    let instanceId: string | undefined;
    async function* tapped(file: string): AsyncGenerator<IndexableDocument> {
      for await (const document of corpusDocuments(file, prefix)) {
        ids.add(document.id);
        if (instanceId === undefined && document.body.includes('"responseElements_flattened"')) {
          const body = JSON.parse(document.body) as {
            responseElements_flattened?: { instanceId?: string[] };
          };
          instanceId = body.responseElements_flattened?.instanceId?.[0];
        }
        yield document;
      }
    }
    const files = await corpusFiles();
    const results: FileWriteResult[] = [];
    const started = performance.now();
    for (let next = 0; next < files.length; next += FILES_IN_FLIGHT) {
      const slice = files.slice(next, next + FILES_IN_FLIGHT);
      results.push(...(await Promise.all(slice.map((file) => sink.writeFile(tapped(file), { file })))));
    }
    const seconds = (performance.now() - started) / 1000;

    const failed = results.flatMap((result) => result.failed);
    expect(failed).toEqual([]);
    expect(results.every((result) => result.ok)).toBe(true);
    const accepted = results.reduce((sum, result) => sum + result.accepted, 0);
    const repaired = results.reduce((sum, result) => sum + result.repaired, 0);
    const count = await countDocuments(sink.client, `${prefix}-*`);
    expect(count).toBe(ids.size);

    // The query users write in Dashboards works whatever the mode.
    expect(instanceId).toBeDefined();
    const query = { query_string: { query: `responseElements_flattened.instanceId:"${instanceId}"` } };
    expect(await countDocuments(sink.client, `${prefix}-*`, query)).toBeGreaterThan(0);

    const fields = await fieldCount(sink.client, `${prefix}-*`);
    const indexes = new Set(results.flatMap((result) => result.indexes)).size;
    console.log(
      `corpus load (${mode}): files=${files.length} documents=${accepted} distinctEventIDs=${ids.size} count=${count} ` +
        `repaired=${repaired} indexes=${indexes} fieldsMapped=${fields.mapped} largestIndexFields=${fields.largestIndex} ` +
        `fieldCaps=${fields.fieldCaps} seconds=${seconds.toFixed(1)}`,
    );
    if (mode === 'flat-object') expect(fields.mapped).toBeLessThan(200);
  });
});
