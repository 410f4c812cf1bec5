import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainProcessingFields } from '../../../src/control/domain-watch.ts';
import { createDomainWatch } from '../../../src/control/domain-watch.ts';
import { createIngestionGate } from '../../../src/control/ingestion-gate.ts';
import type { PauseState } from '../../../src/control/pause-switch.ts';
import type { PauseReason } from '../../../src/core/pause-reason.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';

/** A pause switch whose state the test flips; `fail` makes reads throw. */
function fakeSwitch(initial: Partial<PauseState> = {}) {
  let state: PauseState = { paused: false, exists: true, ...initial };
  let failure: Error | undefined;
  let reads = 0;
  return {
    parameterName: '/cloudtrail-indexer/paused',
    read: async (): Promise<PauseState> => {
      reads++;
      if (failure) throw failure;
      return state;
    },
    flip(next: Partial<PauseState>) {
      state = { ...state, ...next };
    },
    fail(error: Error | undefined) {
      failure = error;
    },
    get reads() {
      return reads;
    },
  };
}

function setup(initial: Partial<PauseState> = {}) {
  const pauseSwitch = fakeSwitch(initial);
  const log = memoryLogger();
  const gate = createIngestionGate({ logger: log.logger, pauseSwitch });
  const changes: [boolean, readonly PauseReason[]][] = [];
  gate.onChange((paused, reasons) => changes.push([paused, reasons]));
  return { gate, pauseSwitch, log, changes };
}

describe('createIngestionGate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a worker receive when the switch is off', async () => {
    const { gate, changes } = setup();
    await gate.start();
    expect(gate.paused).toBe(false);
    expect(gate.reasons).toEqual([]);
    expect(changes).toEqual([]);
    gate.stop();
  });

  it('knows the switch is on before start() resolves', async () => {
    const { gate, changes, log } = setup({ paused: true, by: 'alice', reason: 'upgrade to 2.19' });
    await gate.start();
    expect(gate.paused).toBe(true);
    expect(changes).toEqual([[true, ['manual']]]);
    const paused = log.records().find((record) => record.msg.startsWith('ingestion paused'));
    expect(paused?.details).toEqual({
      manual: 'pause switch /cloudtrail-indexer/paused set by alice: "upgrade to 2.19"',
    });
    gate.stop();
  });

  it('follows the switch within one poll interval, well inside 30 s', async () => {
    const { gate, pauseSwitch, changes } = setup();
    await gate.start();
    await vi.advanceTimersByTimeAsync(3000);
    pauseSwitch.flip({ paused: true });
    await vi.advanceTimersByTimeAsync(7000);
    expect(gate.paused).toBe(true);
    pauseSwitch.flip({ paused: false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gate.paused).toBe(false);
    expect(changes).toEqual([
      [true, ['manual']],
      [false, []],
    ]);
    gate.stop();
  });

  it('does not announce a switch that stays on', async () => {
    const { gate, changes } = setup({ paused: true });
    await gate.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(changes).toHaveLength(1);
    gate.stop();
  });

  it('keeps the last known state while the switch cannot be read, warning once per streak and every 5 minutes', async () => {
    const { gate, pauseSwitch, log, changes } = setup({ paused: true });
    await gate.start();
    pauseSwitch.fail(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gate.paused).toBe(true);
    expect(log.records().filter((record) => record.level === 'warn')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const warnings = log.records().filter((record) => record.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.msg).toContain('ThrottlingException: Rate exceeded');
    pauseSwitch.fail(undefined);
    pauseSwitch.flip({ paused: false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gate.paused).toBe(false);
    expect(log.messages('info')).toContain('the pause switch reads again');
    expect(changes).toEqual([
      [true, ['manual']],
      [false, []],
    ]);
    gate.stop();
  });

  it('starts receiving when the switch cannot be read at start-up, and warns', async () => {
    const { gate, pauseSwitch, log } = setup();
    pauseSwitch.fail(new Error('connect ECONNREFUSED'));
    await gate.start();
    expect(gate.paused).toBe(false);
    expect(log.messages('warn')).toHaveLength(1);
    gate.stop();
  });

  it('stays paused until every reason is released', async () => {
    const { gate, pauseSwitch, changes } = setup();
    await gate.start();
    gate.hold('backpressure', 'cluster write block');
    pauseSwitch.flip({ paused: true });
    await vi.advanceTimersByTimeAsync(10_000);
    gate.hold('domain-change', 'UpgradingEngineVersion');
    gate.release('backpressure');
    expect(gate.paused).toBe(true);
    expect(gate.reasons).toEqual(['manual', 'domain-change']);
    gate.release('domain-change');
    pauseSwitch.flip({ paused: false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(changes).toEqual([
      [true, ['backpressure']],
      [true, ['manual', 'backpressure']],
      [true, ['manual', 'domain-change', 'backpressure']],
      [true, ['manual', 'domain-change']],
      [true, ['manual']],
      [false, []],
    ]);
    gate.stop();
  });

  it('treats holding twice as once and releasing what is not held as nothing', () => {
    const { gate, changes } = setup();
    gate.hold('backpressure');
    gate.hold('backpressure');
    gate.release('domain-change');
    expect(changes).toEqual([[true, ['backpressure']]]);
  });

  it('releases a timed hold by itself, extended by a later one', async () => {
    const { gate, changes } = setup();
    gate.holdFor('backpressure', 5000, 'throttled');
    await vi.advanceTimersByTimeAsync(3000);
    gate.holdFor('backpressure', 5000, 'throttled again');
    gate.holdFor('backpressure', 1000);
    await vi.advanceTimersByTimeAsync(4000);
    expect(gate.paused).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(gate.paused).toBe(false);
    expect(changes).toEqual([
      [true, ['backpressure']],
      [false, []],
    ]);
  });

  it('never ends an unlimited hold with a timed one, and turns a timed hold unlimited', async () => {
    const { gate } = setup();
    gate.hold('backpressure');
    gate.holdFor('backpressure', 1000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(gate.paused).toBe(true);
    gate.release('backpressure');
    gate.holdFor('backpressure', 1000);
    gate.hold('backpressure');
    await vi.advanceTimersByTimeAsync(5000);
    expect(gate.paused).toBe(true);
  });

  it('keeps calling the other listeners when one throws, and unsubscribes', () => {
    const { gate, log } = setup();
    const seen: boolean[] = [];
    gate.onChange(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = gate.onChange((paused) => seen.push(paused));
    gate.hold('backpressure');
    unsubscribe();
    gate.release('backpressure');
    expect(seen).toEqual([true]);
    expect(log.messages('error')).toEqual([
      'ingestion gate listener failed',
      'ingestion gate listener failed',
    ]);
  });

  it('stops polling when stopped', async () => {
    const { gate, pauseSwitch } = setup();
    await gate.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pauseSwitch.reads).toBe(3);
    gate.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pauseSwitch.reads).toBe(3);
  });

  it('works without a pause switch', async () => {
    const gate = createIngestionGate({ logger: memoryLogger().logger });
    await gate.start();
    expect(gate.paused).toBe(false);
    gate.hold('backpressure');
    expect(gate.paused).toBe(true);
    gate.stop();
  });

  it('pauses for a domain upgrade when wired to the domain watch', async () => {
    const { gate, changes, log } = setup();
    const answers: DomainProcessingFields[] = [
      { DomainProcessingStatus: 'Active' },
      { DomainProcessingStatus: 'UpgradingEngineVersion', UpgradeProcessing: true },
      { DomainProcessingStatus: 'Active' },
    ];
    let call = 0;
    const watch = createDomainWatch({
      client: { send: async () => ({ DomainStatus: answers[Math.min(call++, answers.length - 1)] }) },
      domainName: 'cloudtrail',
      logger: log.logger,
      onChange: (changing, detail) =>
        changing ? gate.hold('domain-change', detail) : gate.release('domain-change'),
    });
    await gate.start();
    await watch.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gate.reasons).toEqual(['domain-change']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(changes).toEqual([
      [true, ['domain-change']],
      [false, []],
    ]);
    watch.stop();
    gate.stop();
  });
});
