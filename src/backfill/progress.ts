import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';

export interface ProgressCounts {
  /** Files of the selection listed so far (the listing runs ahead of the work). */
  readonly listed: number;
  /** Of those, completed by a previous run (in the checkpoint). */
  readonly alreadyDone: number;
  /** The listing is complete: `listed` is the whole selection, and an ETA can be given. */
  readonly listingComplete: boolean;
  /** Files processed by this run: indexed, skipped or failed. */
  readonly done: number;
  readonly failed: number;
  readonly events: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  stop(): void;
}

/** Seconds left at the rate so far, once the listing is complete and a file has been done. */
export function etaSeconds(counts: ProgressCounts, elapsedSeconds: number): number | undefined {
  if (!counts.listingComplete || counts.done === 0 || elapsedSeconds <= 0) return undefined;
  const remaining = Math.max(0, counts.listed - counts.alreadyDone - counts.done);
  return Math.round(remaining / (counts.done / elapsedSeconds));
}

/**
 * On a terminal, a progress bar (files listed, done and failed, events/s, ETA); elsewhere (CI,
 * ECS, a pipe) one log line every few seconds, since a bar redrawn with carriage returns makes
 * unreadable logs.
 */
export function createProgress(options: {
  tty: boolean;
  logger: Logger;
  intervalMs?: number;
  now?: () => number;
}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const elapsed = (): number => Math.max((now() - started) / 1000, 0.001);
  const rate = (events: number): number => Math.round(events / elapsed());
  if (options.tty) {
    const bar = new SingleBar({
      format:
        'backfill |{bar}| {value}/{total} files{listing} | {failed} failed | {events} events | {rate} events/s | ETA {remaining}',
      hideCursor: true,
    });
    let shown = false;
    return {
      update(counts) {
        const eta = etaSeconds(counts, elapsed());
        const payload = {
          listing: counts.listingComplete ? '' : ' (listing)',
          events: counts.events,
          rate: rate(counts.events),
          failed: counts.failed,
          remaining: eta === undefined ? (counts.listingComplete ? '-' : 'after listing') : clock(eta),
        };
        const total = Math.max(counts.listed - counts.alreadyDone, counts.done);
        if (!shown) {
          bar.start(total, counts.done, payload);
          shown = true;
        } else {
          bar.setTotal(total);
          bar.update(counts.done, payload);
        }
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.intervalMs ?? 5000;
  let last = 0;
  return {
    update(counts) {
      if (now() - last < interval) return;
      last = now();
      options.logger.info(
        { ...counts, eventsPerSecond: rate(counts.events), etaSeconds: etaSeconds(counts, elapsed()) },
        'backfill progress',
      );
    },
    stop() {},
  };
}

/** `h:mm:ss`, the way progress bars show time left. */
function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
