import type { ProbeResult } from './health-server.ts';

export interface LoopLivenessOptions {
  /** The loop counts as stuck when it showed no activity for this long. */
  readonly staleAfterMs: number;
  /** While paused the loop is meant to be idle, which is healthy. */
  readonly isPaused: () => boolean;
  /**
   * When the loop last showed activity (epoch ms), if the loop keeps that time itself (such as
   * `SqsWorker.lastActivity`); otherwise call `beat()`.
   */
  readonly lastActivity?: () => number;
  readonly now?: () => number;
}

export interface LoopLiveness {
  /** The polling loop did something: a receive returned (empty or not), a file made progress. */
  beat(): void;
  /** For `/healthz`. */
  check(): ProbeResult;
}

/**
 * Liveness of the polling loop from its heartbeats. A receive long-polls for up to 20 s and a large
 * file can take minutes, so `staleAfterMs` should cover the longest quiet stretch a healthy worker
 * has. Starts alive: start-up counts as a beat.
 */
export function createLoopLiveness(options: LoopLivenessOptions): LoopLiveness {
  const now = options.now ?? Date.now;
  let lastBeat = now();
  const last = (): number => Math.max(lastBeat, options.lastActivity?.() ?? Number.NEGATIVE_INFINITY);
  return {
    beat() {
      lastBeat = now();
    },
    check() {
      if (options.isPaused()) return { ok: true, detail: 'paused' };
      const quietMs = now() - last();
      if (quietMs <= options.staleAfterMs) return { ok: true };
      return {
        ok: false,
        detail: `no polling loop activity for ${Math.round(quietMs / 1000)} s (limit ${Math.round(options.staleAfterMs / 1000)} s)`,
      };
    },
  };
}
