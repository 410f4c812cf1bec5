import type { Client } from '@opensearch-project/opensearch';
import { type RetryOptions, withRetries } from '../sinks/opensearch/backoff.ts';
import type { TemplateChange } from '../sinks/opensearch/index-templates.ts';
import { RequestFailure, statusOf } from '../sinks/opensearch/request-failure.ts';
import { isSameSavedObject } from './compare-saved-object.ts';
import { type SavedObject, serializeSavedObjects } from './saved-objects.ts';

export interface SavedObjectChange {
  readonly type: string;
  readonly id: string;
  readonly title: string;
  readonly change: TemplateChange;
}

/** Dashboards refuses state-changing requests without it (its XSRF protection); harmless on GETs. */
const XSRF = { 'osd-xsrf': 'true' } as const;

interface BulkGetAnswer {
  readonly saved_objects?: ReadonlyArray<SavedObject & { readonly error?: { readonly statusCode?: number } }>;
}

interface ImportAnswer {
  readonly success?: boolean;
  readonly successCount?: number;
  readonly errors?: ReadonlyArray<{
    readonly id?: string;
    readonly type?: string;
    readonly error?: { readonly type?: string; readonly message?: string };
  }>;
}

/** The multipart body the import API takes: one file part named `file` holding the NDJSON. */
async function multipart(ndjson: string, fileName: string): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), fileName);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const contentType = request.headers.get('content-type') ?? 'multipart/form-data';
  return { body: Buffer.from(await request.arrayBuffer()), contentType };
}

function hintFor(error: unknown): string {
  const status = statusOf(error);
  if (status === 404)
    return 'is --dashboards the URL of OpenSearch Dashboards itself, e.g. https://host/_dashboards?';
  if (status === 401 || status === 403)
    return 'Dashboards takes the same credentials as OpenSearch: check OPENSEARCH_AUTH';
  return '';
}

/**
 * Imports the saved objects that are missing or differ from what Dashboards holds, through its
 * saved-objects API (`_bulk_get` to compare, then `_import?overwrite=true` with only those), and
 * says for each object whether it was created, updated or already in place.
 */
export async function importSavedObjects(
  client: Client,
  endpoint: string,
  objects: readonly SavedObject[],
  retry: RetryOptions,
  fileName = 'cloudtrail-overview.ndjson',
): Promise<SavedObjectChange[]> {
  let stored: BulkGetAnswer;
  try {
    const response = await withRetries(
      () =>
        client.transport.request(
          {
            method: 'POST',
            path: '/api/saved_objects/_bulk_get',
            body: objects.map(({ type, id }) => ({ type, id })),
          },
          { headers: XSRF },
        ),
      retry,
    );
    stored = response.body as BulkGetAnswer;
  } catch (error) {
    throw new RequestFailure('Reading the saved objects', endpoint, error, hintFor(error));
  }
  const changes = objects.map((object): SavedObjectChange => {
    const found = stored.saved_objects?.find((entry) => entry.type === object.type && entry.id === object.id);
    const exists = found !== undefined && found.error === undefined && found.attributes !== undefined;
    const change: TemplateChange = !exists
      ? 'created'
      : isSameSavedObject(object, found)
        ? 'unchanged'
        : 'updated';
    return { type: object.type, id: object.id, title: String(object.attributes.title ?? object.id), change };
  });
  const changed = objects.filter((_, index) => changes[index]?.change !== 'unchanged');
  if (changed.length === 0) return changes;

  const { body, contentType } = await multipart(serializeSavedObjects(changed), fileName);
  let answer: ImportAnswer;
  try {
    const response = await client.transport.request(
      { method: 'POST', path: '/api/saved_objects/_import', querystring: { overwrite: 'true' }, body },
      { headers: { ...XSRF, 'content-type': contentType } },
    );
    answer = response.body as ImportAnswer;
  } catch (error) {
    throw new RequestFailure(`Importing ${changed.length} saved objects`, endpoint, error, hintFor(error));
  }
  if (answer.success !== true) {
    const problems = (answer.errors ?? [])
      .slice(0, 3)
      .map(
        (problem) =>
          `${problem.type}/${problem.id}: ${problem.error?.message ?? problem.error?.type ?? 'error'}`,
      )
      .join('; ');
    throw new RequestFailure(
      `Importing ${changed.length} saved objects`,
      endpoint,
      new Error(
        `Dashboards refused ${answer.errors?.length ?? 'some'} of them: ${problems || 'no details given'}`,
      ),
    );
  }
  return changes;
}
