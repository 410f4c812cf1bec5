import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../helpers/fault-proxy.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';

const stack = stackEnv();
const secret = (label: string): string => `${label}${randomBytes(12).toString('hex')}`;

/**
 * Runs the real worker with every kind of secret in its environment (a basic-auth password, also in
 * the URL, AWS keys and a session token; then SigV4, whose signed headers the proxy sees), drives it
 * through failures that put errors, URLs and request details in its logs, and searches everything it
 * wrote for the secrets.
 */
describe('no secret reaches a log line', () => {
  let fixture: QueueFixture;
  let proxy: FaultProxy;
  const workers: CliProcess[] = [];
  const secrets = {
    password: secret('pw'),
    accessKeyId: secret('ak'),
    secretAccessKey: secret('sk'),
    sessionToken: secret('st'),
  };

  beforeAll(async () => {
    fixture = await createQueueFixture(stack, 'secrets');
    proxy = await startFaultProxy(stack.OPENSEARCH_URL);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await proxy?.close();
    await fixture?.cleanup();
  });

  const run = async (env: Record<string, string>): Promise<CliProcess> => {
    const worker = startCli(
      ['worker'],
      fixture.workerEnv({
        AWS_ACCESS_KEY_ID: secrets.accessKeyId,
        AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
        AWS_SESSION_TOKEN: secrets.sessionToken,
        LOG_LEVEL: 'trace',
        ...env,
      }),
    );
    workers.push(worker);
    await worker.waitForLog((line) => line.msg === 'worker started');
    return worker;
  };

  it.each([
    [
      'basic auth (password also in the URL)',
      () => ({
        OPENSEARCH_AUTH: 'basic',
        OPENSEARCH_USERNAME: 'indexer',
        OPENSEARCH_PASSWORD: secrets.password,
        OPENSEARCH_URL: proxy.url.replace('http://', `http://indexer:${secrets.password}@`),
      }),
    ],
    ['SigV4', () => ({ OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_URL: proxy.url })],
  ])('with %s, through refused and failed requests', async (_auth, env) => {
    const before = proxy.requests.length;
    const worker = await run(env());
    proxy.inject({
      method: 'POST',
      path: /^\/_bulk/,
      status: 401,
      times: 1,
      errorType: 'security_exception',
    });
    proxy.inject({ method: 'POST', path: /^\/_bulk/, status: 503, times: 2 });
    const file = syntheticLogFile(50, `secrets-${workers.length}`);
    await fixture.upload(file);
    const missing = syntheticLogFile(1, `secrets-missing-${workers.length}`).key;
    await fixture.send(JSON.stringify({ s3Bucket: fixture.bucket, s3ObjectKey: [missing] }));
    await worker.waitForLog((line) => line.msg === 'log file indexed', 60_000);
    await worker.waitForLog((line) => line.msg === 'message moved to the dead-letter queue', 60_000);
    const port = (await worker.waitForLog((line) => line.msg === 'health endpoints listening')).port;
    await fetch(`http://127.0.0.1:${port}/readyz`);
    await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(await worker.stop('SIGTERM')).toBe(0);

    const output = worker.output();
    expect(worker.logs().some((line) => line.msg === 'document not indexed' || line.level === 'warn')).toBe(
      true,
    );
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, found: output.includes(value) }).toEqual({ name, found: false });
    }
    // What went over the wire carried the credentials, so the test would see them if they leaked.
    const sent = proxy.requests.slice(before).map((request) => String(request.headers.authorization ?? ''));
    const signatures = sent.flatMap((header) => /Signature=([0-9a-f]{64})/.exec(header)?.[1] ?? []);
    if (env().OPENSEARCH_AUTH === 'sigv4') {
      expect(signatures.length).toBeGreaterThan(0);
      expect(sent.some((header) => header.includes(`Credential=${secrets.accessKeyId}/`))).toBe(true);
    } else {
      expect(sent.some((header) => header.startsWith('Basic '))).toBe(true);
    }
    for (const signature of signatures) expect(output).not.toContain(signature);
  });

  it('does not echo the password when the configuration is refused', async () => {
    const worker = startCli(
      ['worker'],
      fixture.workerEnv({
        OPENSEARCH_AUTH: 'basic',
        OPENSEARCH_USERNAME: 'indexer',
        OPENSEARCH_PASSWORD: secrets.password,
        // A typo in the scheme of a URL that carries its password.
        OPENSEARCH_URL: `htps://indexer:${secrets.password}@search.example.com`,
        AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
        HEARTBEAT_SECONDS: 'soon',
      }),
    );
    expect(await worker.exited).toBe(2);
    expect(worker.output()).toContain('OPENSEARCH_URL');
    expect(worker.output()).not.toContain(secrets.password);
    expect(worker.output()).not.toContain(secrets.secretAccessKey);
  });
});
