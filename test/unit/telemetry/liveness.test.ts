import { describe, expect, it } from 'vitest';
import { createLoopLiveness } from '../../../src/telemetry/liveness.ts';

describe('createLoopLiveness', () => {
  function setup(paused = false) {
    let clock = 1_000_000;
    let isPaused = paused;
    const liveness = createLoopLiveness({ staleAfterMs: 60_000, isPaused: () => isPaused, now: () => clock });
    return {
      liveness,
      advance: (ms: number) => {
        clock += ms;
      },
      pause: (value: boolean) => {
        isPaused = value;
      },
    };
  }

  it('is alive at start-up', () => {
    expect(setup().liveness.check()).toEqual({ ok: true });
  });

  it('is alive while the loop beats', () => {
    const { liveness, advance } = setup();
    advance(50_000);
    liveness.beat();
    advance(50_000);
    expect(liveness.check().ok).toBe(true);
  });

  it('is stuck after a quiet stretch longer than the limit', () => {
    const { liveness, advance } = setup();
    advance(61_000);
    expect(liveness.check()).toEqual({
      ok: false,
      detail: 'no polling loop activity for 61 s (limit 60 s)',
    });
  });

  it('is healthy while paused, however long the loop is idle', () => {
    const { liveness, advance, pause } = setup(true);
    advance(3_600_000);
    expect(liveness.check()).toEqual({ ok: true, detail: 'paused' });
    pause(false);
    expect(liveness.check().ok).toBe(false);
  });
});

describe('createLoopLiveness with the loop keeping its own time', () => {
  it('reads the last activity from the loop', () => {
    let clock = 1_000_000;
    let activity = clock;
    const liveness = createLoopLiveness({
      staleAfterMs: 60_000,
      isPaused: () => false,
      lastActivity: () => activity,
      now: () => clock,
    });
    clock += 70_000;
    expect(liveness.check().ok).toBe(false);
    activity = clock - 1000;
    expect(liveness.check()).toEqual({ ok: true });
  });
});
