import { randomUUID } from 'node:crypto';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { createPauseSwitch } from '../../../src/control/pause-switch.ts';
import { stackEnv } from '../../helpers/stack.ts';

const env = stackEnv();
const ssm = new SSMClient({
  endpoint: env.AWS_ENDPOINT_URL,
  region: env.AWS_REGION,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
});

describe('the pause switch on LocalStack SSM', () => {
  const name = `/cloudtrail-indexer-test/${randomUUID().slice(0, 8)}/paused`;
  const pauseSwitch = createPauseSwitch(ssm, name);

  afterAll(async () => {
    await ssm.send(new DeleteParameterCommand({ Name: name })).catch(() => undefined);
  });

  it('reads a parameter that does not exist as not paused', async () => {
    expect(await pauseSwitch.read()).toEqual({ paused: false, exists: false });
  });

  it('records who paused, why and when, and reads it back', async () => {
    const now = new Date('2024-05-31T10:00:00.000Z');
    await pauseSwitch.set(true, { reason: 'upgrade to 2.19', by: 'alice@laptop', now });
    expect(await pauseSwitch.read()).toEqual({
      paused: true,
      reason: 'upgrade to 2.19',
      by: 'alice@laptop',
      since: now,
      exists: true,
    });
  });

  it('overwrites the switch on resume', async () => {
    await pauseSwitch.set(false, { by: 'bob@laptop' });
    expect(await pauseSwitch.read()).toMatchObject({ paused: false, by: 'bob@laptop', exists: true });
  });

  it('reads a bare true set by hand, dated by the parameter', async () => {
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'true', Type: 'String', Overwrite: true }));
    const state = await pauseSwitch.read();
    expect(state.paused).toBe(true);
    expect(state.since).toBeInstanceOf(Date);
    expect(Math.abs((state.since as Date).getTime() - Date.now())).toBeLessThan(5 * 60_000);
  });

  it('refuses a value it cannot understand, naming the parameter', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: 'yes please', Type: 'String', Overwrite: true }),
    );
    await expect(pauseSwitch.read()).rejects.toThrow(`SSM parameter ${name}, holds "yes please"`);
  });
});
