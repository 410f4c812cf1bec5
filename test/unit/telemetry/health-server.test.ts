import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthServer, HealthServerOptions, ProbeResult } from '../../../src/telemetry/health-server.ts';
import { createHealthServer } from '../../../src/telemetry/health-server.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(overrides: Partial<HealthServerOptions> = {}): Promise<string> {
  const server = createHealthServer({
    port: 0,
    host: '127.0.0.1',
    registry: new Registry(),
    liveness: () => ({ ok: true }),
    readiness: async () => ({ ok: true }),
    ...overrides,
  });
  servers.push(server);
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

describe('createHealthServer', () => {
  describe.each([
    { name: 'alive', result: { ok: true }, status: 200, body: { status: 'ok' } },
    {
      name: 'paused',
      result: { ok: true, detail: 'paused' },
      status: 200,
      body: { status: 'ok', detail: 'paused' },
    },
    {
      name: 'stuck',
      result: { ok: false, detail: 'no polling loop activity for 300 s' },
      status: 503,
      body: { status: 'unavailable', detail: 'no polling loop activity for 300 s' },
    },
  ])('/healthz when $name', ({ result, status, body }) => {
    it(`answers ${status}`, async () => {
      const base = await serve({ liveness: () => result });
      const response = await fetch(`${base}/healthz`);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toEqual(body);
    });
  });

  it('answers /readyz 200 when the check passes and 503 with the reason when it fails', async () => {
    let ready: ProbeResult = { ok: true };
    let clock = 0;
    const base = await serve({ readiness: async () => ready, now: () => clock });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    ready = { ok: false, detail: 'OpenSearch unreachable' };
    clock += 10_000;
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', detail: 'OpenSearch unreachable' });
  });

  it('reuses a readiness answer for a few seconds and shares one check among concurrent probes', async () => {
    let checks = 0;
    let clock = 0;
    const base = await serve({
      readiness: async () => {
        checks++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ok: true };
      },
      readinessCacheMs: 5000,
      now: () => clock,
    });
    await Promise.all([fetch(`${base}/readyz`), fetch(`${base}/readyz`), fetch(`${base}/readyz`)]);
    expect(checks).toBe(1);
    clock += 4000;
    await fetch(`${base}/readyz`);
    expect(checks).toBe(1);
    clock += 2000;
    await fetch(`${base}/readyz`);
    expect(checks).toBe(2);
  });

  it('counts a failing readiness check as not ready, without leaking URL passwords', async () => {
    const base = await serve({
      readiness: () =>
        Promise.reject(new Error('connect ECONNREFUSED https://admin:hunter2@search.example.com')),
    });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { detail: string };
    expect(body.detail).toContain('ECONNREFUSED');
    expect(body.detail).not.toContain('hunter2');
  });

  it('counts a readiness check that hangs as not ready', async () => {
    const base = await serve({ readiness: () => new Promise(() => {}), readinessTimeoutMs: 50 });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'unavailable',
      detail: 'readiness check timed out after 50 ms',
    });
  });

  it('serves the registry in Prometheus text format on /metrics', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.fileDone('indexed', { events: 7 });
    const base = await serve({ registry: metrics.registry });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('cloudtrail_indexer_events_indexed_total 7');
  });

  it.each([
    ['GET', '/', 404],
    ['GET', '/health', 404],
    ['GET', '/healthz/extra', 404],
    ['POST', '/healthz', 405],
  ])('answers %s %s with %i', async (method, path, status) => {
    const base = await serve();
    expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
  });

  it('ignores a query string', async () => {
    const base = await serve();
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const base = await serve();
    const response = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('listens on all interfaces unless told otherwise', async () => {
    const server = createHealthServer({
      port: 0,
      registry: new Registry(),
      liveness: () => ({ ok: true }),
      readiness: async () => ({ ok: true }),
    });
    servers.push(server);
    const { host, port } = await server.start();
    expect(host).toBe('0.0.0.0');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('closes despite a kept-alive connection, and a second close does nothing', async () => {
    const server = createHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      liveness: () => ({ ok: true }),
      readiness: async () => ({ ok: true }),
    });
    const { port } = await server.start();
    await fetch(`http://127.0.0.1:${port}/healthz`, { keepalive: true });
    await server.close();
    await server.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('fails to start when the port is taken', async () => {
    const base = await serve();
    const port = Number(new URL(base).port);
    const second = createHealthServer({
      port,
      host: '127.0.0.1',
      registry: new Registry(),
      liveness: () => ({ ok: true }),
      readiness: async () => ({ ok: true }),
    });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
  });
});
