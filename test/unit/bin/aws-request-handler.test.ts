import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRequestHandler } from '../../../src/bin/aws-request-handler.ts';

/** An endpoint that accepts connections and never answers: a blackholed AWS endpoint. */
describe('awsRequestHandler against an endpoint that never answers', () => {
  let server: Server;
  let endpoint: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const common = () => ({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
    requestHandler: awsRequestHandler(1),
  });

  it.each([
    [
      'an SQS receive',
      () => new SQSClient(common()).send(new ReceiveMessageCommand({ QueueUrl: `${endpoint}/q` })),
    ],
    [
      'an S3 object read',
      () =>
        new S3Client({ ...common(), forcePathStyle: true }).send(
          new GetObjectCommand({ Bucket: 'b', Key: 'k' }),
        ),
    ],
  ])('gives up on %s once the socket has been silent for the timeout', async (_, request) => {
    const started = Date.now();
    await expect(request()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('bounds the connection time by the same setting', () => {
    expect(awsRequestHandler(60)).toEqual({ connectionTimeout: 10_000, socketTimeout: 60_000 });
    expect(awsRequestHandler(5)).toEqual({ connectionTimeout: 5_000, socketTimeout: 5_000 });
  });
});
