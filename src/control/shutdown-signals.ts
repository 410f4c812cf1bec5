const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** What SIGTERM and SIGINT mean to a long-running command: the first asks for a drain, the second for a stop. */
export interface ShutdownSignals {
  /** Aborted by the first signal: take no new work, finish what is in flight. */
  readonly stopTaking: AbortSignal;
  /** Aborted by the second signal: stop the work in flight too. */
  readonly stopNow: AbortSignal;
  /** Resolves with the first signal. */
  readonly first: Promise<NodeJS.Signals>;
  /** Stops listening (the process's default handling of the signals comes back). */
  dispose(): void;
}

/**
 * The one shutdown scheme of the worker and the backfill. `onSignal` hears each signal with its count
 * (1, 2, ...) before the matching signal aborts, to say what happens now.
 */
export function listenForShutdown(
  onSignal: (signal: NodeJS.Signals, count: number) => void = () => {},
  target: Pick<NodeJS.Process, 'on' | 'off'> = process,
): ShutdownSignals {
  const stopTaking = new AbortController();
  const stopNow = new AbortController();
  let count = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const handle = (signal: NodeJS.Signals): void => {
    count += 1;
    onSignal(signal, count);
    if (count === 1) {
      stopTaking.abort();
      resolveFirst(signal);
    } else stopNow.abort();
  };
  for (const signal of SIGNALS) target.on(signal, handle);
  return {
    stopTaking: stopTaking.signal,
    stopNow: stopNow.signal,
    first,
    dispose: () => {
      for (const signal of SIGNALS) target.off(signal, handle);
    },
  };
}
