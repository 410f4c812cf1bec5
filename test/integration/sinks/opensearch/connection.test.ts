import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { OpenSearchUnreachableError } from '../../../../src/sinks/opensearch/cluster-info.ts';
import { createOpenSearchClient } from '../../../../src/sinks/opensearch/create-opensearch-client.ts';
import { type FaultProxy, startFaultProxy } from '../../../helpers/fault-proxy.ts';
import { stackEnv } from '../../../helpers/stack.ts';
import { countDocuments, derivedDocuments, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting to OpenSearch', () => {
  let proxy: FaultProxy;
  const prefixes: string[] = [];

  beforeAll(async () => {
    proxy = await startFaultProxy(stackEnv().OPENSEARCH_URL);
  });

  afterAll(async () => {
    const sink = testSink('cleanup');
    for (const prefix of prefixes) await removePrefix(sink.client, prefix);
    await sink.close();
    await proxy.close();
  });

  it('reads the cluster version at start-up', async () => {
    const prefix = uniquePrefix('version');
    prefixes.push(prefix);
    const sink = testSink(prefix);
    const readiness = await sink.prepare();
    expect(readiness.cluster).toEqual({
      distribution: 'opensearch',
      version: expect.stringMatching(/^2\.19\./),
    });
    await sink.close();
  });

  it('fails start-up with a sentence naming the URL and the auth mode when nothing answers', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const sink = testSink(uniquePrefix('down'), {
      OPENSEARCH_URL: url,
      OPENSEARCH_AUTH: 'basic',
      OPENSEARCH_USERNAME: 'admin',
      OPENSEARCH_PASSWORD: 'secret',
    });
    const failure = await sink.prepare().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenSearchUnreachableError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^Cannot use OpenSearch at ${url} \\(auth: basic\\): ConnectionError: .*ECONNREFUSED`),
    );
    expect((failure as Error).message).not.toContain('secret');
    await sink.close();
  });

  it('sends basic credentials on every request', async () => {
    const prefix = uniquePrefix('basic');
    prefixes.push(prefix);
    const sink = testSink(prefix, {
      OPENSEARCH_URL: proxy.url,
      OPENSEARCH_AUTH: 'basic',
      OPENSEARCH_USERNAME: 'indexer',
      OPENSEARCH_PASSWORD: 'secret',
    });
    const result = await sink.writeFile(await derivedDocuments(prefix, 5), { file: 'basic' });
    expect(result.ok).toBe(true);
    const expected = `Basic ${Buffer.from('indexer:secret').toString('base64')}`;
    expect(proxy.requests.every((request) => request.headers.authorization === expected)).toBe(true);
    await sink.close();
  });

  it('signs every request with SigV4 from the credential provider', async () => {
    const prefix = uniquePrefix('sigv4');
    prefixes.push(prefix);
    const config = loadConfig(
      {
        OPENSEARCH_URL: proxy.url,
        OPENSEARCH_AUTH: 'sigv4',
        AWS_REGION: 'us-east-1',
        INDEX_PREFIX: prefix,
      },
      ['OPENSEARCH_URL'],
    );
    let calls = 0;
    const client = createOpenSearchClient(config, {
      credentials: async () => {
        calls += 1;
        return {
          accessKeyId: 'AKIDTEST',
          secretAccessKey: 'secret',
          expiration: new Date(Date.now() + 3_600_000),
        };
      },
    });
    const sink = testSink(prefix, { OPENSEARCH_URL: proxy.url }, { client });
    proxy.requests.length = 0;
    const documents = await derivedDocuments(prefix, 5);
    expect((await sink.writeFile(documents, { file: 'sigv4' })).ok).toBe(true);
    expect(proxy.requests.length).toBeGreaterThan(2);
    for (const request of proxy.requests) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/es\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/,
      );
    }
    const bulk = proxy.requests.find((request) => request.path.endsWith('/_bulk'));
    const body = documents
      .map(
        (document) => `{"create":{"_index":"${document.index}","_id":"${document.id}"}}\n${document.body}\n`,
      )
      .join('');
    expect(bulk?.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(calls).toBe(1);
    expect(await countDocuments(sink.client, `${prefix}-*`)).toBe(5);
    await sink.close();
  });
});
