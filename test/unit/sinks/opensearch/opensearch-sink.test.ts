import type { Client } from '@opensearch-project/opensearch';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { OpenSearchUnreachableError } from '../../../../src/sinks/opensearch/cluster-info.ts';
import { createOpenSearchSink } from '../../../../src/sinks/opensearch/opensearch-sink.ts';
import { responseError } from './fake-opensearch.ts';

const logger = pino({ level: 'silent' });

/** A cluster that answers the start-up calls and keeps the templates it is given. */
function fakeCluster(info: () => Promise<unknown>) {
  const templates = new Map<string, { _meta: { checksum: string } }>();
  const puts: string[] = [];
  const client = {
    info,
    indices: {
      getIndexTemplate: async ({ name }: { name: string }) => {
        const template = templates.get(name);
        return { body: template ? { index_templates: [{ name, index_template: template }] } : {} };
      },
      putIndexTemplate: async ({ name, body }: { name: string; body: { _meta: { checksum: string } } }) => {
        puts.push(name);
        templates.set(name, body);
        return { body: { acknowledged: true } };
      },
    },
    close: async () => {},
  } as unknown as Client;
  return { client, templates, puts };
}

const config = (env: Record<string, string> = {}) =>
  loadConfig({ OPENSEARCH_URL: 'https://search-logs.eu-west-1.es.amazonaws.com', ...env }, [
    'OPENSEARCH_URL',
  ]);

describe('OpenSearchSink.prepare', () => {
  it('reads the version, picks the mapping mode and installs the templates once', async () => {
    const cluster = fakeCluster(async () => ({
      body: { version: { distribution: 'opensearch', number: '2.19.5' } },
    }));
    const sink = createOpenSearchSink(config(), { logger, client: cluster.client });
    const readiness = await sink.prepare();
    expect(readiness).toMatchObject({
      endpoint: 'https://search-logs.eu-west-1.es.amazonaws.com (auth: none)',
      cluster: { distribution: 'opensearch', version: '2.19.5' },
      mappingMode: 'flat-object',
      templates: [
        { name: 'cloudtrail-events', change: 'created' },
        { name: 'cloudtrail-insights', change: 'created' },
      ],
    });
    expect(await sink.prepare()).toBe(readiness);

    const restarted = createOpenSearchSink(config(), { logger, client: cluster.client });
    expect((await restarted.prepare()).templates.map((template) => template.change)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    const dynamic = createOpenSearchSink(config({ MAPPING_MODE: 'dynamic' }), {
      logger,
      client: cluster.client,
    });
    expect((await dynamic.prepare()).templates.map((template) => template.change)).toEqual([
      'updated',
      'updated',
    ]);
    expect(cluster.puts).toHaveLength(4);
  });

  it('names the URL and the auth mode when the cluster cannot be used', async () => {
    const refused = fakeCluster(async () => {
      throw responseError(403, { message: 'no permissions' });
    });
    const sink = createOpenSearchSink(
      config({
        OPENSEARCH_AUTH: 'sigv4',
        AWS_REGION: 'eu-west-1',
        OPENSEARCH_URL: 'https://user:pw@search-x.es.amazonaws.com',
      }),
      { logger, client: refused.client },
    );
    const failure = await sink.prepare().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenSearchUnreachableError);
    expect((failure as Error).message).toBe(
      "Cannot use OpenSearch at https://search-x.es.amazonaws.com (auth: sigv4/es): HTTP 403: the credentials were refused (check OPENSEARCH_AUTH and its settings, and the cluster's access policy)",
    );

    const down = fakeCluster(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { name: 'ConnectionError' });
    });
    const unreachable = createOpenSearchSink(config({ OPENSEARCH_URL: 'http://127.0.0.1:9200' }), {
      logger,
      client: down.client,
    });
    await expect(unreachable.prepare()).rejects.toThrow(
      'Cannot use OpenSearch at http://127.0.0.1:9200 (auth: none): ConnectionError: connect ECONNREFUSED 127.0.0.1:9200',
    );
  });

  it('prepares again after a failed attempt', async () => {
    let calls = 0;
    const cluster = fakeCluster(async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('timeout'), { name: 'TimeoutError' });
      return { body: { version: { distribution: 'opensearch', number: '2.5.0' } } };
    });
    const sink = createOpenSearchSink(config(), { logger, client: cluster.client });
    await expect(sink.prepare()).rejects.toThrow(OpenSearchUnreachableError);
    expect((await sink.prepare()).mappingMode).toBe('dynamic');
  });
});
