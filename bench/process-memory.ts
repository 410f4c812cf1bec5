import { readFileSync } from 'node:fs';

/** A field of /proc/PID/status in kB (VmRSS: now, VmHWM: the peak so far), or NaN once the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

export interface RssSampler {
  /** Stops sampling; the kernel's high-water mark (VmHWM) is the peak, the samples show the shape. */
  stop(): { peakKb: number; samplesKb: number[] };
}

/**
 * Polls a child's resident set size. The peak comes from the kernel (VmHWM), so a short spike
 * between two polls is not missed; the samples are for the curve (is memory flat over time?).
 */
export function sampleRss(pid: number, intervalMs = 250): RssSampler {
  const samplesKb: number[] = [];
  let peakKb = Number.NaN;
  const poll = (): void => {
    const rss = procStatusKb(pid, 'VmRSS');
    const hwm = procStatusKb(pid, 'VmHWM');
    if (Number.isFinite(rss)) samplesKb.push(rss);
    if (Number.isFinite(hwm)) peakKb = hwm;
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop: () => {
      poll();
      clearInterval(timer);
      return { peakKb, samplesKb };
    },
  };
}
