import type { Logger } from 'pino';
import { describeError } from '../core/describe-error.ts';
import { PAUSE_REASONS, PauseReason } from '../core/pause-reason.ts';
import type { PauseState } from './pause-switch.ts';

/** Polled this often, a paused worker stops receiving within 30 s even behind a 20 s long poll. */
export const DEFAULT_SWITCH_POLL_MS = 10_000;
/** A pause switch that keeps failing is warned about at most this often. */
const FAILURE_WARN_INTERVAL_MS = 5 * 60_000;

export type GateListener = (paused: boolean, reasons: readonly PauseReason[]) => void;

export interface IngestionGateOptions {
  readonly logger: Logger;
  /** The shared pause switch, polled while the gate runs; without it there is no manual pause. */
  readonly pauseSwitch?: { readonly parameterName: string; read(): Promise<PauseState> };
  /** Default 10 s. */
  readonly switchPollMs?: number;
  readonly now?: () => number;
}

export interface IngestionGate {
  /** True while any reason holds. */
  readonly paused: boolean;
  /** The reasons holding, in a fixed order. */
  readonly reasons: readonly PauseReason[];
  /** Stop receiving for this reason until `release(reason)`. Holding twice is the same as once. */
  hold(reason: PauseReason, detail?: string): void;
  /**
   * Stop receiving for this reason for `ms`, then release it by itself. A later `holdFor` extends
   * the hold; it never shortens one, nor ends a `hold` without a time limit.
   */
  holdFor(reason: PauseReason, ms: number, detail?: string): void;
  release(reason: PauseReason): void;
  /**
   * Called whenever the set of reasons changes (so `paused` may be the same as before): the worker
   * stops its consumer when `paused`, starts it otherwise. Returns the unsubscribe function.
   */
  onChange(listener: GateListener): () => void;
  /** Reads the pause switch once (awaited, so the worker knows before it receives), then polls it. */
  start(): Promise<void>;
  /** Stops polling and drops timed holds' timers. */
  stop(): void;
  /** Reads the pause switch now; an error keeps the last known state. Never throws. */
  refresh(): Promise<void>;
}

interface Hold {
  detail: string | undefined;
  /** When a timed hold ends by itself; undefined for a hold without a time limit. */
  until: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One answer to "may this worker receive messages now?" from every reason to stop: the manual
 * pause switch (polled), a domain change (the domain watch holds and releases `domain-change`) and
 * backpressure from the sink (`backpressure`). Paused workers keep running and healthy; only
 * receiving stops.
 */
export function createIngestionGate(options: IngestionGateOptions): IngestionGate {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.switchPollMs ?? DEFAULT_SWITCH_POLL_MS;
  const holds = new Map<PauseReason, Hold>();
  const listeners = new Set<GateListener>();
  let pollTimer: NodeJS.Timeout | undefined;
  let running = false;
  let run = 0;
  let switchFailures = 0;
  let lastFailureWarnAt = Number.NEGATIVE_INFINITY;

  const reasons = (): PauseReason[] => PAUSE_REASONS.filter((reason) => holds.has(reason));

  function changed(wasPaused: boolean): void {
    const active = reasons();
    const paused = active.length > 0;
    const details = Object.fromEntries(active.map((reason) => [reason, holds.get(reason)?.detail ?? null]));
    if (paused && !wasPaused)
      logger.info({ reasons: active, details }, 'ingestion paused: not receiving messages');
    else if (!paused && wasPaused) logger.info('ingestion resumed: receiving messages');
    else logger.info({ reasons: active, details }, 'ingestion still paused, for changed reasons');
    for (const listener of listeners) {
      try {
        listener(paused, active);
      } catch (error) {
        logger.error({ err: error }, 'ingestion gate listener failed');
      }
    }
  }

  function hold(reason: PauseReason, detail: string | undefined, until: number | undefined): void {
    const existing = holds.get(reason);
    if (existing) {
      existing.detail = detail ?? existing.detail;
      // An unlimited hold stays unlimited; a timed one only ever gets longer (or unlimited).
      const longer = existing.until !== undefined && (until === undefined || until > existing.until);
      if (!longer) return;
      clearTimeout(existing.timer);
      existing.until = until;
      existing.timer = until === undefined ? undefined : releaseAt(reason, until);
      return;
    }
    const wasPaused = holds.size > 0;
    holds.set(reason, {
      detail,
      until,
      timer: until === undefined ? undefined : releaseAt(reason, until),
    });
    changed(wasPaused);
  }

  function releaseAt(reason: PauseReason, until: number): NodeJS.Timeout {
    const timer = setTimeout(() => release(reason), Math.max(0, until - now()));
    timer.unref();
    return timer;
  }

  function release(reason: PauseReason): void {
    const existing = holds.get(reason);
    if (!existing) return;
    clearTimeout(existing.timer);
    holds.delete(reason);
    changed(true);
  }

  async function refresh(): Promise<void> {
    const pauseSwitch = options.pauseSwitch;
    if (!pauseSwitch) return;
    let state: PauseState;
    try {
      state = await pauseSwitch.read();
    } catch (error) {
      switchFailures += 1;
      if (switchFailures === 1 || now() - lastFailureWarnAt >= FAILURE_WARN_INTERVAL_MS) {
        lastFailureWarnAt = now();
        logger.warn(
          {
            parameter: pauseSwitch.parameterName,
            err: error,
            consecutiveFailures: switchFailures,
            paused: holds.has(PauseReason.Manual),
          },
          `cannot read the pause switch (${describeError(error)}); keeping the last known state`,
        );
      }
      return;
    }
    if (switchFailures > 0) {
      logger.info(
        { parameter: pauseSwitch.parameterName, after: switchFailures },
        'the pause switch reads again',
      );
      switchFailures = 0;
    }
    if (state.paused) {
      const who = [state.by && `by ${state.by}`, state.reason && `"${state.reason}"`]
        .filter(Boolean)
        .join(': ');
      hold(
        PauseReason.Manual,
        `pause switch ${pauseSwitch.parameterName} set${who ? ` ${who}` : ''}`,
        undefined,
      );
    } else {
      release(PauseReason.Manual);
    }
  }

  function schedule(current: number): void {
    if (!running || current !== run || !options.pauseSwitch) return;
    pollTimer = setTimeout(() => {
      void refresh().finally(() => schedule(current));
    }, pollMs);
    pollTimer.unref();
  }

  return {
    get paused() {
      return holds.size > 0;
    },
    get reasons() {
      return reasons();
    },
    hold(reason, detail) {
      hold(reason, detail, undefined);
    },
    holdFor(reason, ms, detail) {
      hold(reason, detail, now() + ms);
    },
    release,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async start() {
      if (running) return;
      running = true;
      const current = ++run;
      await refresh();
      schedule(current);
    },
    stop() {
      running = false;
      run += 1;
      clearTimeout(pollTimer);
      pollTimer = undefined;
      for (const existing of holds.values()) {
        clearTimeout(existing.timer);
        existing.timer = undefined;
      }
    },
    refresh,
  };
}
