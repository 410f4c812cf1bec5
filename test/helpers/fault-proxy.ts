import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of a real OpenSearch that injects the failures a real cluster
 * produces under load: whole-request errors (429, 502/503, 413) and bulk responses in which some
 * items were rejected. It also records every request, so tests can count what the client sent.
 */

export interface FaultRule {
  /** Which requests the rule applies to; every request when omitted. */
  readonly method?: string;
  readonly path?: RegExp;
  /** How many matching requests it affects before it is used up. */
  readonly times: number;
  /**
   * `respond`: answer with `status` without forwarding (the cluster never sees the request).
   * `reject-items`: forward, then report every `every`-th item of the bulk response as rejected
   * with `status` (the cluster did apply them: a re-send must overwrite, not duplicate).
   */
  readonly kind?: 'respond' | 'reject-items';
  readonly status: number;
  readonly every?: number;
  /** Error type in the injected body; a sensible default per status otherwise. */
  readonly errorType?: string;
}

export interface RecordedRequest {
  readonly method: string;
  /** The path without its query string (the sink adds `filter_path` to `_bulk`): rules match it too. */
  readonly path: string;
  readonly query: string;
  readonly bytes: number;
  readonly status: number;
  readonly injected: boolean;
  readonly headers: IncomingHttpHeaders;
}

export interface FaultProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  inject(rule: FaultRule): void;
  /** Drops every rule not yet used up. */
  clearFaults(): void;
  /** Answer 413 to bodies above this size, as Amazon OpenSearch Service does above its limit. */
  setMaxBodyBytes(bytes: number | undefined): void;
  close(): Promise<void>;
}

const DEFAULT_TYPES: Readonly<Record<number, string>> = {
  413: 'request_entity_too_large',
  429: 'es_rejected_execution_exception',
  502: 'bad_gateway',
  503: 'unavailable_shards_exception',
};

function errorBody(status: number, type: string | undefined): string {
  const errorType = type ?? DEFAULT_TYPES[status] ?? 'injected_failure';
  return JSON.stringify({ error: { type: errorType, reason: 'injected by the fault proxy' }, status });
}

interface LiveRule extends FaultRule {
  remaining: number;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const rules: LiveRule[] = [];
  const requests: RecordedRequest[] = [];
  let maxBodyBytes: number | undefined;

  const takeRule = (method: string, path: string): LiveRule | undefined => {
    const rule = rules.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.path === undefined || candidate.path.test(path)),
    );
    if (rule) rule.remaining -= 1;
    return rule;
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = incoming.method ?? 'GET';
      const url = incoming.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt === -1 ? url : url.slice(0, queryAt);
      const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
      const record = (status: number, injected: boolean): void => {
        requests.push({
          method,
          path,
          query,
          bytes: body.length,
          status,
          injected,
          headers: incoming.headers,
        });
      };
      const respond = (status: number, text: string, injected: boolean): void => {
        record(status, injected);
        outgoing.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        outgoing.end(text);
      };

      if (maxBodyBytes !== undefined && body.length > maxBodyBytes) {
        return respond(413, errorBody(413, undefined), true);
      }
      const rule = takeRule(method, path);
      if (rule && (rule.kind ?? 'respond') === 'respond')
        return respond(rule.status, errorBody(rule.status, rule.errorType), true);

      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path: url,
          headers: { ...incoming.headers, host: upstream.host },
          agent,
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            let text = Buffer.concat(parts).toString('utf8');
            const status = response.statusCode ?? 502;
            if (rule?.kind === 'reject-items' && status === 200) {
              const parsed = JSON.parse(text) as {
                errors: boolean;
                items: Array<Record<string, Record<string, unknown>>>;
              };
              const every = rule.every ?? 2;
              parsed.items.forEach((item, position) => {
                if (position % every !== 0) return;
                const [action, result] = Object.entries(item)[0] ?? [];
                if (!action || !result) return;
                item[action] = {
                  _index: result._index,
                  _id: result._id,
                  status: rule.status,
                  error: JSON.parse(errorBody(rule.status, rule.errorType)).error,
                };
              });
              parsed.errors = true;
              text = JSON.stringify(parsed);
            }
            respond(status, text, rule !== undefined);
          });
        },
      );
      forward.on('error', (error) => respond(502, errorBody(502, `proxy_error: ${error.message}`), true));
      forward.end(body);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(rule: FaultRule): void {
      rules.push({ ...rule, remaining: rule.times });
    },
    clearFaults(): void {
      rules.length = 0;
    },
    setMaxBodyBytes(bytes: number | undefined): void {
      maxBodyBytes = bytes;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
