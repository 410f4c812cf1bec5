import type { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { importSavedObjects } from '../../../src/setup/import-saved-objects.ts';
import type { SavedObject } from '../../../src/setup/saved-objects.ts';
import { DEFAULT_BACKOFF, type RetryOptions } from '../../../src/sinks/opensearch/backoff.ts';

interface Sent {
  method: string;
  path: string;
  querystring?: Record<string, string>;
  body?: unknown;
  headers: Record<string, string>;
}

const retry: RetryOptions = { policies: DEFAULT_BACKOFF, sleep: async () => {}, random: () => 0 };
const ENDPOINT = 'http://dashboards:5601 (auth: none)';

const object = (id: string, title: string): SavedObject => ({
  id,
  type: 'visualization',
  attributes: { title, visState: JSON.stringify({ title, type: 'table' }) },
  references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'p' }],
});
const same = object('same', 'Same');
const changed = object('changed', 'Changed');
const missing = object('missing', 'Missing');

function fakeDashboards(importAnswer: unknown): { client: Client; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    transport: {
      request: async (request: Omit<Sent, 'headers'>, options: { headers: Record<string, string> }) => {
        sent.push({ ...request, headers: options.headers });
        if (request.path.endsWith('_bulk_get')) {
          return {
            statusCode: 200,
            body: {
              saved_objects: [
                {
                  ...same,
                  attributes: {
                    ...same.attributes,
                    visState: JSON.stringify({ type: 'table', title: 'Same' }),
                  },
                },
                { ...changed, attributes: { ...changed.attributes, title: 'Edited by hand' } },
                { type: 'visualization', id: 'missing', error: { statusCode: 404, message: 'not found' } },
              ],
            },
          };
        }
        return { statusCode: 200, body: importAnswer };
      },
    },
  } as unknown as Client;
  return { client, sent };
}

/** The NDJSON lines of the multipart body's `file` part, read back the way a server would. */
async function uploaded(request: Sent | undefined): Promise<{ fileName: string; ids: string[] }> {
  const form = await new Request('http://dashboards/', {
    method: 'POST',
    headers: { 'content-type': request?.headers['content-type'] ?? '' },
    body: new Uint8Array(request?.body as Buffer),
  }).formData();
  const file = form.get('file') as File;
  const ids = (await file.text())
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as SavedObject).id);
  return { fileName: file.name, ids };
}

describe('importSavedObjects', () => {
  it('imports only what is missing or differs, as a multipart NDJSON file with the osd-xsrf header', async () => {
    const { client, sent } = fakeDashboards({ success: true, successCount: 2 });
    const changes = await importSavedObjects(client, ENDPOINT, [same, changed, missing], retry);
    expect(changes.map(({ id, change }) => `${id}: ${change}`)).toEqual([
      'same: unchanged',
      'changed: updated',
      'missing: created',
    ]);
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /api/saved_objects/_bulk_get',
      'POST /api/saved_objects/_import',
    ]);
    expect(sent[0]?.body).toEqual([
      { type: 'visualization', id: 'same' },
      { type: 'visualization', id: 'changed' },
      { type: 'visualization', id: 'missing' },
    ]);
    const importRequest = sent[1];
    expect(importRequest?.querystring).toEqual({ overwrite: 'true' });
    expect(importRequest?.headers['osd-xsrf']).toBe('true');
    expect(importRequest?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(await uploaded(importRequest)).toEqual({
      fileName: 'cloudtrail-overview.ndjson',
      ids: ['changed', 'missing'],
    });
  });

  it('sends nothing but the comparison when everything is in place', async () => {
    const { client, sent } = fakeDashboards({ success: true });
    const changes = await importSavedObjects(client, ENDPOINT, [same], retry);
    expect(changes.map(({ change }) => change)).toEqual(['unchanged']);
    expect(sent).toHaveLength(1);
  });

  it('fails with the objects Dashboards refused when the import does not succeed', async () => {
    const { client } = fakeDashboards({
      success: false,
      successCount: 1,
      errors: [
        {
          type: 'visualization',
          id: 'missing',
          error: { type: 'missing_references', message: 'index-pattern p not found' },
        },
      ],
    });
    await expect(importSavedObjects(client, ENDPOINT, [same, changed, missing], retry)).rejects.toThrow(
      'Importing 2 saved objects at http://dashboards:5601 (auth: none) failed: Dashboards refused 1 of them: visualization/missing: index-pattern p not found',
    );
  });
});
