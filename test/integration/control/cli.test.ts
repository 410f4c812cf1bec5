import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '../../helpers/stack.ts';

const run = promisify(execFile);
const env = stackEnv();
const common = {
  endpoint: env.AWS_ENDPOINT_URL,
  region: env.AWS_REGION,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
};
const sqs = new SQSClient(common);
const ssm = new SSMClient(common);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cloudtrail-indexer <args>` as its own process on Node 24, as an operator would. */
async function cli(args: string[], extraEnv: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/node', ['src/bin/cli.ts', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
        AWS_REGION: env.AWS_REGION,
        AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
        ...extraEnv,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('pause, resume and status as commands', () => {
  const suffix = randomUUID().slice(0, 8);
  const parameter = `/cloudtrail-indexer-test/${suffix}/paused`;
  let queueUrl = '';
  let commandEnv: Record<string, string> = {};

  beforeAll(async () => {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `cli-${suffix}` }))).QueueUrl as string;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
    commandEnv = { PAUSE_PARAMETER_NAME: parameter, QUEUE_URL: queueUrl };
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await ssm.send(new DeleteParameterCommand({ Name: parameter })).catch(() => undefined);
  });

  it('pauses, shows it, resumes, and shows that', async () => {
    const paused = await cli(['pause', '--reason', 'engine upgrade'], commandEnv);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toMatch(/^Paused ingestion since \S+Z by \S+@\S+: "engine upgrade"/);

    const again = await cli(['pause', '--reason', 'second'], commandEnv);
    expect(again.stdout).toMatch(/^Already paused .*"engine upgrade"; left as it is/);

    const status = await cli(['status', '--json'], commandEnv);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as {
      paused: boolean;
      pause: { reason: string; parameter: string };
      queue: { visible: number; inFlight: number };
      deadLetterQueue: unknown;
      oldestMessageAge: { available: boolean; reason?: string };
    };
    expect(report.paused).toBe(true);
    expect(report.pause).toMatchObject({ reason: 'engine upgrade', parameter });
    expect(report.queue).toMatchObject({ visible: 1, inFlight: 0 });
    expect(report.deadLetterQueue).toBeNull();
    // LocalStack runs without CloudWatch: the age is reported unavailable, with the reason.
    expect(report.oldestMessageAge.available).toBe(false);
    expect(report.oldestMessageAge.reason).toMatch(/^CloudWatch: /);

    const text = await cli(['status'], commandEnv);
    expect(text.stdout).toMatch(/^Ingestion {7}PAUSED since .*"engine upgrade"/);
    expect(text.stdout).toContain('  oldest        unavailable (CloudWatch: ');

    const resumed = await cli(['resume'], commandEnv);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(resumed.stdout).toMatch(/^Resumed ingestion/);

    const after = JSON.parse((await cli(['status', '--json'], commandEnv)).stdout) as { paused: boolean };
    expect(after.paused).toBe(false);
    expect((await cli(['resume'], commandEnv)).stdout).toMatch(/^Not paused; nothing to do/);
  });

  it('fails with one sentence naming the queue when it does not exist', async () => {
    const outcome = await cli(['status'], { ...commandEnv, QUEUE_URL: `${queueUrl}-missing` });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(
      `error: Cannot read the queue ${queueUrl}-missing: QueueDoesNotExist: The specified queue does not exist.\n`,
    );
  });

  it('fails with one sentence naming the parameter when SSM is unreachable, without a stack trace', async () => {
    const outcome = await cli(['pause'], { ...commandEnv, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      new RegExp(`^error: Cannot read the pause switch, SSM parameter ${parameter}: .*ECONNREFUSED.*\\.\\n$`),
    );
    expect(outcome.stderr).not.toContain('    at ');
  });

  it('stops with exit status 2 on a bad setting, naming the variable', async () => {
    const outcome = await cli(['status'], { PAUSE_PARAMETER_NAME: parameter });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('QUEUE_URL: required');
  });
});
