import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportFailure } from '../../../src/bin/command-errors.ts';
import { ConfigError } from '../../../src/config.ts';
import { describePause } from '../../../src/control/describe-pause.ts';
import type { IngestionStatus } from '../../../src/control/ingestion-status.ts';
import type { PauseState, PauseSwitch } from '../../../src/control/pause-switch.ts';
import { PauseSwitchError } from '../../../src/control/pause-switch.ts';
import { UsageError } from '../../../src/core/operator-error.ts';
import { formatStatus, statusJson } from '../../../src/operations/ingestion-report.ts';
import { runPause, runResume } from '../../../src/operations/pause-ingestion.ts';

function memoryIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (stream: PassThrough) => () => (stream.read() as Buffer | null)?.toString() ?? '';
  return { io: { stdout, stderr }, out: read(stdout), err: read(stderr) };
}

/** A pause switch held in memory; `writes` counts PutParameter calls. */
function memorySwitch(initial: PauseState = { paused: false, exists: false }) {
  let state = initial;
  let writes = 0;
  const pauseSwitch: PauseSwitch & { readonly writes: number; readonly state: PauseState } = {
    parameterName: '/test/paused',
    read: async () => state,
    set: async (paused, options = {}) => {
      writes++;
      state = {
        paused,
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.by ? { by: options.by } : {}),
        since: options.now ?? new Date('2024-05-31T10:00:00Z'),
        exists: true,
      };
      return state;
    },
    get writes() {
      return writes;
    },
    get state() {
      return state;
    },
  };
  return pauseSwitch;
}

describe('describePause', () => {
  it.each<[PauseState, string]>([
    [
      {
        paused: true,
        exists: true,
        since: new Date('2024-05-31T10:00:00Z'),
        by: 'alice@host',
        reason: 'upgrade',
      },
      'since 2024-05-31T10:00:00Z by alice@host: "upgrade"',
    ],
    [{ paused: true, exists: true, by: 'alice@host' }, 'by alice@host'],
    [{ paused: true, exists: true, reason: 'upgrade' }, '"upgrade"'],
    [{ paused: true, exists: true }, 'with no record of who or why'],
  ])('describes %o', (state, text) => {
    expect(describePause(state)).toBe(text);
  });
});

describe('runPause', () => {
  it('sets the switch with who and why and says how fast workers follow', async () => {
    const pauseSwitch = memorySwitch();
    const { io, out } = memoryIo();
    expect(await runPause({ by: 'alice@host', reason: 'upgrade to 2.19' }, pauseSwitch, io)).toBe(0);
    expect(pauseSwitch.state).toMatchObject({ paused: true, by: 'alice@host', reason: 'upgrade to 2.19' });
    expect(out()).toContain('Paused ingestion since 2024-05-31T10:00:00Z by alice@host: "upgrade to 2.19"');
  });

  it('leaves an existing pause, and its record, as it is', async () => {
    const pauseSwitch = memorySwitch({ paused: true, exists: true, by: 'alice@host', reason: 'first' });
    const { io, out } = memoryIo();
    expect(await runPause({ by: 'bob@host', reason: 'second' }, pauseSwitch, io)).toBe(0);
    expect(pauseSwitch.writes).toBe(0);
    expect(out()).toBe(
      'Already paused by alice@host: "first"; left as it is (SSM parameter /test/paused).\n',
    );
  });
});

describe('runResume', () => {
  it('clears the switch and records who resumed', async () => {
    const pauseSwitch = memorySwitch({ paused: true, exists: true, by: 'alice@host' });
    const { io, out } = memoryIo();
    expect(await runResume({ by: 'bob@host' }, pauseSwitch, io)).toBe(0);
    expect(pauseSwitch.state).toMatchObject({ paused: false, by: 'bob@host' });
    expect(out()).toMatch(/^Resumed ingestion \(paused by alice@host; SSM parameter \/test\/paused\)/);
  });

  it('does nothing when not paused', async () => {
    const pauseSwitch = memorySwitch();
    const { io, out } = memoryIo();
    expect(await runResume({ by: 'bob@host' }, pauseSwitch, io)).toBe(0);
    expect(pauseSwitch.writes).toBe(0);
    expect(out()).toBe('Not paused; nothing to do (SSM parameter /test/paused).\n');
  });
});

describe('reportFailure (what cli.ts does with a command that throws)', () => {
  it.each([
    {
      name: 'a pause switch error',
      error: new PauseSwitchError(
        'Cannot read the pause switch, SSM parameter /x: AccessDeniedException: no.',
        '/x',
      ),
      code: 1,
      stderr: 'error: Cannot read the pause switch, SSM parameter /x: AccessDeniedException: no.\n',
    },
    {
      name: 'a configuration error',
      error: new ConfigError(['QUEUE_URL: required.']),
      code: 2,
      stderr: 'error: Invalid configuration:\n- QUEUE_URL: required.\n',
    },
    {
      name: 'a flag given wrong',
      error: new UsageError('--max must be a whole number of messages, 1 or more (got "all")'),
      code: 2,
      stderr: 'error: --max must be a whole number of messages, 1 or more (got "all").\n',
    },
    {
      name: 'an unexpected error',
      error: Object.assign(new Error('Region is missing'), { name: 'Error' }),
      code: 1,
      stderr: 'error: Region is missing.\n',
    },
  ])(
    'turns $name into one sentence and exit status $code, without a stack trace',
    ({ error, code, stderr }) => {
      const { io, err } = memoryIo();
      expect(reportFailure(error, io.stderr)).toBe(code);
      const text = err();
      expect(text).toBe(stderr);
      expect(text).not.toContain('    at ');
    },
  );
});

const now = new Date('2024-05-31T13:12:00Z');
const baseStatus: IngestionStatus = {
  pauseParameter: '/cloudtrail-indexer/paused',
  pause: {
    paused: true,
    exists: true,
    by: 'alice@host',
    reason: 'upgrade',
    since: new Date('2024-05-31T10:00:00Z'),
  },
  queue: {
    url: 'https://sqs.us-east-1.amazonaws.com/1/main',
    name: 'main',
    visible: 12,
    inFlight: 3,
    delayed: 1,
    oldestMessage: { seconds: 250, at: new Date('2024-05-31T13:09:00Z') },
  },
  deadLetterQueue: {
    url: 'https://sqs.us-east-1.amazonaws.com/1/main-dlq',
    name: 'main-dlq',
    visible: 2,
    inFlight: 0,
    delayed: 0,
    oldestMessage: { seconds: undefined, at: undefined },
  },
  deadLetterQueueFrom: 'DLQ_URL',
  oldestMessageAge: { available: true },
  domain: { name: 'cloudtrail', changing: true, state: 'UpgradingEngineVersion (UpgradeProcessing)' },
  errors: [],
  notes: ['a note'],
};

describe('formatStatus', () => {
  it('shows pause, queue depths, ages, the dead-letter queue and the domain', () => {
    expect(formatStatus(baseStatus, now)).toBe(
      [
        'Ingestion       PAUSED since 2024-05-31T10:00:00Z by alice@host: "upgrade" (3 h 12 min)',
        '  pause switch  SSM parameter /cloudtrail-indexer/paused',
        'Queue           main',
        '  waiting       12 (+ 1 delayed)',
        '  in flight     3 (received, not yet deleted or visible again)',
        '  oldest        4 min 10 s (CloudWatch, 3 min ago)',
        'Dead letters    main-dlq (from DLQ_URL)',
        '  messages      2',
        '  oldest        no CloudWatch value in the last 15 min (SQS reports none for an idle queue)',
        'Domain          cloudtrail UpgradingEngineVersion (UpgradeProcessing): being changed, workers pause themselves until it ends',
        'Note: a note',
        '',
      ].join('\n'),
    );
  });

  it('says when the age is unavailable, and why', () => {
    const text = formatStatus(
      { ...baseStatus, oldestMessageAge: { available: false, reason: 'CloudWatch: InternalFailure' } },
      now,
    );
    expect(text).toContain('  oldest        unavailable (CloudWatch: InternalFailure)\n');
  });

  it('says when nothing is paused, no dead-letter queue is known, or the switch cannot be read', () => {
    const receiving = formatStatus(
      {
        ...baseStatus,
        pause: { paused: false, exists: false },
        deadLetterQueue: undefined,
        deadLetterQueueFrom: undefined,
        domain: undefined,
        notes: [],
      },
      now,
    );
    expect(receiving).toContain('Ingestion       receiving (not paused)\n');
    expect(receiving).toContain('SSM parameter /cloudtrail-indexer/paused (not set)\n');
    expect(receiving).toContain('Dead letters    none configured');
    expect(formatStatus({ ...baseStatus, pause: undefined }, now)).toContain(
      'Ingestion       unknown: the pause switch could not be read\n',
    );
  });
});

describe('statusJson', () => {
  it('gives stable keys, ISO times and null for the unknown', () => {
    expect(statusJson(baseStatus)).toEqual({
      paused: true,
      pause: {
        parameter: '/cloudtrail-indexer/paused',
        set: true,
        reason: 'upgrade',
        by: 'alice@host',
        since: '2024-05-31T10:00:00.000Z',
      },
      queue: {
        url: 'https://sqs.us-east-1.amazonaws.com/1/main',
        name: 'main',
        visible: 12,
        inFlight: 3,
        delayed: 1,
        oldestMessageAgeSeconds: 250,
        oldestMessageAgeAt: '2024-05-31T13:09:00.000Z',
      },
      deadLetterQueue: {
        url: 'https://sqs.us-east-1.amazonaws.com/1/main-dlq',
        name: 'main-dlq',
        visible: 2,
        inFlight: 0,
        delayed: 0,
        oldestMessageAgeSeconds: null,
        oldestMessageAgeAt: null,
        from: 'DLQ_URL',
      },
      oldestMessageAge: { available: true },
      domain: { name: 'cloudtrail', changing: true, state: 'UpgradingEngineVersion (UpgradeProcessing)' },
      notes: ['a note'],
      errors: [],
    });
  });
});
