import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createPauseSwitch, PauseSwitchError, parsePauseValue } from '../../../src/control/pause-switch.ts';

const NAME = '/cloudtrail-indexer/paused';
const modified = new Date('2024-05-31T10:00:00Z');

describe('parsePauseValue', () => {
  describe.each([
    { value: 'true', expected: { paused: true, since: modified } },
    { value: 'false', expected: { paused: false, since: modified } },
    { value: ' TRUE\n', expected: { paused: true, since: modified } },
    { value: 'False', expected: { paused: false, since: modified } },
    {
      value:
        '{"paused":true,"reason":"upgrade to 2.19","by":"alice@laptop","since":"2024-05-31T09:59:00.000Z"}',
      expected: {
        paused: true,
        reason: 'upgrade to 2.19',
        by: 'alice@laptop',
        since: new Date('2024-05-31T09:59:00.000Z'),
      },
    },
    { value: '{"paused":false}', expected: { paused: false, since: modified } },
    { value: '{"paused":"true","reason":""}', expected: { paused: true, since: modified } },
    { value: '{"paused":true,"since":"not a date"}', expected: { paused: true, since: modified } },
  ])('reads $value', ({ value, expected }) => {
    it('as the expected state', () => {
      expect(parsePauseValue(value, NAME, modified)).toEqual({ ...expected, exists: true });
    });
  });

  it.each(['yes', '1', '', '{"paused":"maybe"}', '{"reason":"x"}', '[true]', 'null'])(
    'refuses %j with a sentence naming the parameter',
    (value) => {
      expect(() => parsePauseValue(value, NAME)).toThrow(PauseSwitchError);
      expect(() => parsePauseValue(value, NAME)).toThrow(/SSM parameter \/cloudtrail-indexer\/paused, holds/);
    },
  );
});

/** An SSMClient stand-in that records commands and answers from a script. */
function fakeSsm(answer: (command: unknown) => unknown): { ssm: Pick<SSMClient, 'send'>; sent: unknown[] } {
  const sent: unknown[] = [];
  const ssm = {
    send: async (command: unknown) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as Pick<SSMClient, 'send'>;
  return { ssm, sent };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('createPauseSwitch', () => {
  it('reads a missing parameter as not paused', async () => {
    const { ssm } = fakeSsm(() => {
      throw awsError('ParameterNotFound', '');
    });
    expect(await createPauseSwitch(ssm, NAME).read()).toEqual({ paused: false, exists: false });
  });

  it('names the parameter and the SSM error when it cannot read', async () => {
    const { ssm } = fakeSsm(() => {
      throw awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized.');
    });
    await expect(createPauseSwitch(ssm, NAME).read()).rejects.toThrow(
      'Cannot read the pause switch, SSM parameter /cloudtrail-indexer/paused: AccessDeniedException: User: arn:aws:iam::1:user/x is not authorized.',
    );
  });

  it('reads the parameter it was given', async () => {
    const { ssm, sent } = fakeSsm(() => ({ Parameter: { Value: 'true', LastModifiedDate: modified } }));
    expect(await createPauseSwitch(ssm, '/other/name').read()).toEqual({
      paused: true,
      since: modified,
      exists: true,
    });
    expect(sent[0]).toBeInstanceOf(GetParameterCommand);
    expect((sent[0] as GetParameterCommand).input).toEqual({ Name: '/other/name' });
  });

  it('writes who, why and when as JSON, overwriting', async () => {
    const { ssm, sent } = fakeSsm(() => ({ Version: 2 }));
    const now = new Date('2024-06-01T00:00:00Z');
    const state = await createPauseSwitch(ssm, NAME).set(true, { reason: 'upgrade', by: 'bob', now });
    expect(state).toEqual({ paused: true, reason: 'upgrade', by: 'bob', since: now, exists: true });
    expect(sent[0]).toBeInstanceOf(PutParameterCommand);
    const input = (sent[0] as PutParameterCommand).input;
    expect(input).toMatchObject({ Name: NAME, Type: 'String', Overwrite: true });
    expect(JSON.parse(input.Value as string)).toEqual({
      paused: true,
      reason: 'upgrade',
      by: 'bob',
      since: '2024-06-01T00:00:00.000Z',
    });
    expect(parsePauseValue(input.Value as string, NAME)).toEqual(state);
  });

  it('bounds the reason so the value fits a standard parameter', async () => {
    const { ssm, sent } = fakeSsm(() => ({}));
    await createPauseSwitch(ssm, NAME).set(true, { reason: 'x'.repeat(10_000), by: 'y'.repeat(10_000) });
    expect(((sent[0] as PutParameterCommand).input.Value as string).length).toBeLessThan(4096);
  });

  it('names the parameter and the SSM error when it cannot write', async () => {
    const { ssm } = fakeSsm(() => {
      throw awsError('ParameterLimitExceeded', 'too many');
    });
    await expect(createPauseSwitch(ssm, NAME).set(false)).rejects.toThrow(
      'Cannot set the pause switch, SSM parameter /cloudtrail-indexer/paused: ParameterLimitExceeded: too many.',
    );
  });
});
