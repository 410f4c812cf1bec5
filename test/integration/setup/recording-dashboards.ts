import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for OpenSearch Dashboards' saved-objects API, which cannot run here (no Dashboards
 * package on the registries these machines reach). It records every request and keeps what was
 * imported, so `_bulk_get` answers with it afterwards the way Dashboards would: the second `setup`
 * sees its own objects. Like Dashboards, it refuses a state-changing request without `osd-xsrf`.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** For an import: the name of the multipart file part, its file name and its NDJSON lines. */
  readonly upload?: { readonly field: string; readonly fileName: string; readonly objects: unknown[] };
}

export interface RecordingDashboards {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly stored: Map<string, Record<string, unknown>>;
  /** Answer every request with this status and a Dashboards-style error body instead. */
  failWith: number | undefined;
  close(): Promise<void>;
}

type StoredObject = Record<string, unknown> & { type: string; id: string };

function json(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readUpload(request: RecordedRequest): Promise<RecordedRequest['upload']> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === 'string') headers.set(name, value);
  const form = await new Request(`http://dashboards${request.url}`, {
    method: 'POST',
    headers,
    body: new Uint8Array(request.body),
  }).formData();
  for (const [field, value] of form) {
    if (typeof value === 'string') continue;
    const text = await value.text();
    const objects = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
    return { field, fileName: value.name, objects };
  }
  return undefined;
}

export async function startRecordingDashboards(basePath = ''): Promise<RecordingDashboards> {
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, StoredObject>();
  const state: { failWith: number | undefined } = { failWith: undefined };
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        const recorded: RecordedRequest = {
          method: incoming.method ?? '',
          url: incoming.url ?? '',
          headers: incoming.headers,
          body: Buffer.concat(chunks),
        };
        const path = recorded.url.split('?')[0] ?? '';
        if (state.failWith !== undefined) {
          requests.push(recorded);
          json(response, state.failWith, {
            statusCode: state.failWith,
            error: 'Forbidden',
            message: 'no access',
          });
          return;
        }
        if (recorded.method !== 'GET' && recorded.headers['osd-xsrf'] === undefined) {
          requests.push(recorded);
          json(response, 400, {
            statusCode: 400,
            error: 'Bad Request',
            message: 'Request must contain a osd-xsrf header.',
          });
          return;
        }
        if (recorded.method === 'POST' && path === `${basePath}/api/saved_objects/_bulk_get`) {
          requests.push(recorded);
          const wanted = JSON.parse(recorded.body.toString()) as Array<{ type: string; id: string }>;
          json(response, 200, {
            saved_objects: wanted.map(({ type, id }) => {
              const found = stored.get(`${type}/${id}`);
              return found
                ? { ...found, version: 'WzEsMV0=', updated_at: '2026-01-01T00:00:00.000Z' }
                : {
                    type,
                    id,
                    error: {
                      statusCode: 404,
                      error: 'Not Found',
                      message: `Saved object [${type}/${id}] not found`,
                    },
                  };
            }),
          });
          return;
        }
        if (recorded.method === 'POST' && path === `${basePath}/api/saved_objects/_import`) {
          const upload = await readUpload(recorded);
          requests.push({ ...recorded, upload });
          const objects = (upload?.objects ?? []) as StoredObject[];
          const overwrite =
            new URL(recorded.url, 'http://dashboards').searchParams.get('overwrite') === 'true';
          const conflicts = objects.filter(
            (object) => !overwrite && stored.has(`${object.type}/${object.id}`),
          );
          if (conflicts.length > 0) {
            json(response, 200, {
              success: false,
              successCount: 0,
              errors: conflicts.map(({ type, id }) => ({ type, id, error: { type: 'conflict' } })),
            });
            return;
          }
          for (const object of objects) {
            // Dashboards fills an index pattern's fields in later; a stored copy with them must still compare equal.
            const extra = object.type === 'index-pattern' ? { fields: '[]' } : {};
            stored.set(`${object.type}/${object.id}`, {
              ...object,
              attributes: { ...(object.attributes as Record<string, unknown>), ...extra },
            });
          }
          json(response, 200, {
            success: true,
            successCount: objects.length,
            successResults: objects.map(({ type, id }) => ({ type, id })),
          });
          return;
        }
        requests.push(recorded);
        json(response, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    stored,
    get failWith() {
      return state.failWith;
    },
    set failWith(status: number | undefined) {
      state.failWith = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
