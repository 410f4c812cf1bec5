import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import {
  createOpenSearchClient,
  describeEndpoint,
} from '../../../../src/sinks/opensearch/create-opensearch-client.ts';

type ConnectionView = {
  constructor: { name: string };
  ssl: { rejectUnauthorized: boolean };
  headers: Record<string, string>;
  agent: { keepAlive: boolean };
};

/** The client keeps its settings on its only connection; reading them avoids a network round trip. */
function connectionOf(client: Client): ConnectionView {
  return (client.connectionPool as unknown as { connections: ConnectionView[] })
    .connections[0] as ConnectionView;
}

const config = (env: Record<string, string>) =>
  loadConfig({ OPENSEARCH_URL: 'https://search-x.eu-west-1.es.amazonaws.com', ...env }, ['OPENSEARCH_URL']);

describe('createOpenSearchClient', () => {
  it('verifies TLS certificates by default, keeps connections alive and leaves retries to the writer', () => {
    const client = createOpenSearchClient(config({}));
    const connection = connectionOf(client);
    expect(connection.ssl.rejectUnauthorized).toBe(true);
    expect(connection.agent.keepAlive).toBe(true);
    const transport = client.transport as unknown as { requestTimeout: number; maxRetries: number };
    expect(transport.requestTimeout).toBe(60_000);
    expect(transport.maxRetries).toBe(0);
  });

  it('turns TLS verification off only when asked, and applies the request timeout', () => {
    const client = createOpenSearchClient(
      config({ OPENSEARCH_TLS_VERIFY: 'false', OPENSEARCH_REQUEST_TIMEOUT_SECONDS: '5' }),
    );
    expect(connectionOf(client).ssl.rejectUnauthorized).toBe(false);
    expect((client.transport as unknown as { requestTimeout: number }).requestTimeout).toBe(5000);
  });

  it('sends basic credentials', () => {
    const client = createOpenSearchClient(
      config({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'secret' }),
    );
    expect(connectionOf(client).headers.authorization).toBe(
      `Basic ${Buffer.from('admin:secret').toString('base64')}`,
    );
  });

  it.each(['es', 'aoss'])('signs requests with SigV4 for the %s service', (service) => {
    const client = createOpenSearchClient(
      config({ OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_SIGV4_SERVICE: service, AWS_REGION: 'eu-west-1' }),
      { credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }) },
    );
    const connection = connectionOf(client) as unknown as {
      constructor: { name: string };
      buildRequestObject(params: object): {
        headers: Record<string, string>;
        service: string;
        region: string;
      };
    };
    expect(connection.constructor.name).toBe('AwsSigv4SignerConnection');
    const signed = connection.buildRequestObject({ method: 'GET', path: '/', headers: {} });
    expect(signed.headers.Authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=.*/eu-west-1/${service}/aws4_request`),
    );
  });

  it("signs with the SDK's default credential chain, loaded at the first request, when given none", async () => {
    const authorizations: Array<string | undefined> = [];
    const server = createServer((request, response) => {
      authorizations.push(request.headers.authorization);
      response.setHeader('content-type', 'application/json');
      response.end('{"version":{"number":"2.19.5","distribution":"opensearch"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    try {
      const client = createOpenSearchClient({
        ...config({ OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-west-1' }),
        OPENSEARCH_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      await client.info();
      await client.info();
      await client.close();
      expect(authorizations).toHaveLength(2);
      for (const authorization of authorizations)
        expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMENV\/\d{8}\/eu-west-1\/es\//);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      server.close();
    }
  });
});

describe('describeEndpoint', () => {
  it('shows the URL without user info, and the auth mode', () => {
    expect(
      describeEndpoint(
        config({
          OPENSEARCH_URL: 'https://u:p@search-x.es.amazonaws.com/',
          OPENSEARCH_AUTH: 'basic',
          OPENSEARCH_USERNAME: 'u',
          OPENSEARCH_PASSWORD: 'p',
        }),
      ),
    ).toBe('https://search-x.es.amazonaws.com (auth: basic)');
    expect(
      describeEndpoint(
        config({ OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_SIGV4_SERVICE: 'aoss', AWS_REGION: 'eu-west-1' }),
      ),
    ).toBe('https://search-x.eu-west-1.es.amazonaws.com (auth: sigv4/aoss)');
  });
});
