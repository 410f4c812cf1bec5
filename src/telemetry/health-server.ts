import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { scrubText } from './redact-secrets.ts';

/** The answer of a health probe; `detail` says why in a few words. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface HealthServerOptions {
  readonly port: number;
  /** Default 0.0.0.0: in a container the probes come from outside the loopback interface. */
  readonly host?: string;
  readonly registry: Registry;
  /** `/healthz`: is the process worth keeping (the polling loop alive, or paused on purpose)? Must be cheap. */
  readonly liveness: () => ProbeResult;
  /** `/readyz`: can the process do its work (OpenSearch reachable)? Its answer is cached. */
  readonly readiness: () => Promise<ProbeResult>;
  /** How long a readiness answer is reused, so frequent probes do not load the cluster. Default 5000. */
  readonly readinessCacheMs?: number;
  /** A readiness check slower than this counts as not ready. Default 3000. */
  readonly readinessTimeoutMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface HealthServer {
  /** Listens; resolves with the bound address (port 0 picks a free port). */
  start(): Promise<{ host: string; port: number }>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** `/healthz`, `/readyz` and `/metrics` over plain node:http; everything else is 404. */
export function createHealthServer(options: HealthServerOptions): HealthServer {
  const now = options.now ?? Date.now;
  const cacheMs = options.readinessCacheMs ?? 5000;
  const timeoutMs = options.readinessTimeoutMs ?? 3000;
  let cached: { at: number; result: ProbeResult } | undefined;
  let pending: Promise<ProbeResult> | undefined;

  async function checkReadiness(): Promise<ProbeResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `readiness check timed out after ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([
        options.readiness().catch((error: unknown) => ({ ok: false, detail: messageOf(error) })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One check at a time; concurrent probes share it, later ones reuse its answer for a while. */
  function readiness(): Promise<ProbeResult> {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.result);
    pending ??= checkReadiness().then((result) => {
      cached = { at: now(), result };
      pending = undefined;
      return result;
    });
    return pending;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(request, response, 405, JSON_TYPE, JSON.stringify({ status: 'method not allowed' }), {
        allow: 'GET, HEAD',
      });
      return;
    }
    switch (path) {
      case '/healthz':
        probe(request, response, options.liveness());
        return;
      case '/readyz':
        probe(request, response, await readiness());
        return;
      case '/metrics':
        send(request, response, 200, options.registry.contentType, await options.registry.metrics());
        return;
      default:
        send(request, response, 404, JSON_TYPE, JSON.stringify({ status: 'not found' }));
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger?.error({ err: error, path: request.url }, 'health endpoint failed');
      if (!response.headersSent) send(request, response, 500, JSON_TYPE, JSON.stringify({ status: 'error' }));
      else response.destroy();
    });
  });
  // Probes are short; a stuck client must not hold a socket for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  return {
    start() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          options.logger?.info({ host: address.address, port: address.port }, 'health server listening');
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function probe(request: IncomingMessage, response: ServerResponse, result: ProbeResult): void {
  const body = JSON.stringify({
    status: result.ok ? 'ok' : 'unavailable',
    // Details often quote an error, and the port is reachable from outside: no URL passwords.
    ...(result.detail === undefined ? {} : { detail: scrubText(result.detail) }),
  });
  send(request, response, result.ok ? 200 : 503, JSON_TYPE, body);
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
