import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';

export interface ProgressCounts {
  filesDone: number;
  filesTotal: number;
  events: number;
  failed: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar (files, events, events/s, ETA); elsewhere (CI, ECS, a pipe) one
 * log line every few seconds, since a bar redrawn with carriage returns makes unreadable logs.
 */
export function createProgress(options: {
  tty: boolean;
  logger: Logger;
  intervalMs?: number;
  now?: () => number;
}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const rate = (events: number): number => Math.round(events / Math.max((now() - started) / 1000, 0.001));
  if (options.tty) {
    const bar = new SingleBar({
      format:
        'backfill |{bar}| {value}/{total} files | {events} events | {rate} events/s | {failed} failed | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    });
    let started_ = false;
    return {
      update(counts) {
        const payload = { events: counts.events, rate: rate(counts.events), failed: counts.failed };
        if (!started_) {
          bar.start(counts.filesTotal, counts.filesDone, payload);
          started_ = true;
        } else bar.update(counts.filesDone, payload);
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.intervalMs ?? 5000;
  let last = 0;
  return {
    update(counts) {
      if (now() - last < interval && counts.filesDone < counts.filesTotal) return;
      last = now();
      options.logger.info({ ...counts, eventsPerSecond: rate(counts.events) }, 'backfill progress');
    },
    stop() {},
  };
}
