import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusTemplates, fillTemplate } from '../../../bench/corpus-templates.ts';
import { ensureWorkload, type WorkloadSpec } from '../../../bench/generate-workload.ts';
import { SeededRandom } from '../../../bench/seeded-random.ts';
import { classifyObjectKey, LogFileKind } from '../../../src/core/classify-object-key.ts';

const root = mkdtempSync(join(tmpdir(), 'cti-workload-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec: WorkloadSpec = {
  name: 'tiny',
  seed: 'unit test',
  events: 1500,
  eventsPerFile: { min: 50, max: 400 },
  start: '2024-05-30T00:00:00Z',
  spanDays: 4,
  accounts: ['123456789012', '210987654321'],
  regions: ['us-east-1'],
};

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new SeededRandom('x');
    const b = new SeededRandom('x');
    const c = new SeededRandom('y');
    const first = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(first);
  });

  it('makes eventIDs shaped like random UUIDs', () => {
    const random = new SeededRandom('ids');
    for (let i = 0; i < 200; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe('corpus templates', () => {
  it('fill into valid events carrying the new id, time and account, other fields as in the corpus', () => {
    const templates = corpusTemplates();
    expect(templates.length).toBeGreaterThan(4000);
    for (const template of templates.slice(0, 300)) {
      const event = JSON.parse(
        fillTemplate(template, { id: 'new-id', time: '2024-05-31T10:00:00Z', account: '123456789012' }),
      ) as Record<string, unknown>;
      expect(event).toMatchObject({
        eventID: 'new-id',
        eventTime: '2024-05-31T10:00:00Z',
        recipientAccountId: '123456789012',
        eventName: template.eventName,
      });
    }
  });
});

// Generates and gzips 1,500 events per call: seconds on a loaded machine, beyond the 5 s default.
describe('ensureWorkload', { timeout: 60_000 }, () => {
  it('writes CloudTrail-named gzip files with every event, times inside the span, unique ids', async () => {
    const workload = await ensureWorkload(spec, () => undefined, root);
    expect(workload.events).toBe(1500);
    const ids = new Set<string>();
    let events = 0;
    for (const file of workload.files) {
      const info = classifyObjectKey(file.key);
      expect(info.kind).toBe(LogFileKind.CloudTrail);
      const records = (
        JSON.parse(gunzipSync(readFileSync(join(workload.dir, file.key))).toString('utf8')) as {
          Records: Array<{ eventID: string; eventTime: string }>;
        }
      ).Records;
      expect(records).toHaveLength(file.events);
      for (const record of records) {
        ids.add(record.eventID);
        expect(record.eventTime >= '2024-05-30T00:00:00Z' && record.eventTime < '2024-06-03T00:00:00Z').toBe(
          true,
        );
      }
      events += records.length;
    }
    expect(events).toBe(1500);
    expect(ids.size).toBe(1500);
  });

  it('produces the same bytes from the same seed', async () => {
    const first = await ensureWorkload(spec, () => undefined, root);
    const again = await ensureWorkload({ ...spec, name: 'tiny-again' }, () => undefined, root);
    expect(again.files.map((f) => f.key)).toEqual(first.files.map((f) => f.key));
    for (const [i, file] of first.files.entries()) {
      expect(readFileSync(join(again.dir, again.files[i]!.key))).toEqual(
        readFileSync(join(first.dir, file.key)),
      );
    }
  });

  it('reuses files whose manifest matches instead of writing them again', async () => {
    const logged: string[] = [];
    await ensureWorkload(spec, (line) => logged.push(line), root);
    expect(logged).toEqual([]);
  });
});
