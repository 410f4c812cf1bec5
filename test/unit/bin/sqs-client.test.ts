import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configuredSqsEndpoint, createSqsClient } from '../../../src/bin/sqs-client.ts';

describe('configuredSqsEndpoint', () => {
  it('takes the SQS variable before the global one, and neither when the SDK is told to ignore them', () => {
    expect(configuredSqsEndpoint({})).toBeUndefined();
    expect(configuredSqsEndpoint({ AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a');
    expect(configuredSqsEndpoint({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SQS: 'http://b' })).toBe(
      'http://b',
    );
    expect(configuredSqsEndpoint({ AWS_ENDPOINT_URL_SQS: '' })).toBeUndefined();
    expect(
      configuredSqsEndpoint({ AWS_ENDPOINT_URL: 'http://a', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
    ).toBeUndefined();
  });
});

describe('createSqsClient', () => {
  it('sends calls to the queue URL host only when no endpoint is configured', async () => {
    expect(await createSqsClient({}, 30).config.useQueueUrlAsEndpoint).toBe(true);
    expect(await createSqsClient({ AWS_ENDPOINT_URL_SQS: 'http://x' }, 30).config.useQueueUrlAsEndpoint).toBe(
      false,
    );
    expect(await createSqsClient({ AWS_ENDPOINT_URL: 'http://x' }, 30).config.useQueueUrlAsEndpoint).toBe(
      false,
    );
  });

  // Two local stand-ins: the configured endpoint, and the host the queue URL names.
  const servers: Server[] = [];
  const seen: string[] = [];
  const serve = async (name: string): Promise<string> => {
    const server = createServer((request, response) => {
      seen.push(name);
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{"Attributes":{}}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  let endpoint: string;
  let queueHost: string;
  beforeAll(async () => {
    endpoint = await serve('endpoint');
    queueHost = (await serve('queue host')).replace('127.0.0.1', 'localhost');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    seen.length = 0;
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it.each(['AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL'])(
    'sends a call naming a queue to %s, not to the queue URL host',
    async (variable) => {
      // The SDK reads the endpoint from process.env itself; the client is built from the same env.
      vi.stubEnv(variable, endpoint);
      vi.stubEnv('AWS_REGION', 'us-east-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
      const sqs = createSqsClient(process.env, 30);
      try {
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${queueHost}/000000000000/q` }));
      } finally {
        sqs.destroy();
      }
      expect(seen).toEqual(['endpoint']);
    },
  );
});
