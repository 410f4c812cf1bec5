import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU times in clock ticks; 100 per second on every common kernel configuration. */
const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of one process (all its threads), NaN once it is gone. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : Number.NaN;
}

/** User + system CPU seconds of every live process in a process group (a service and the children it forked). */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // After the name: state, ppid, pgrp, ... utime is the 12th, stime the 13th.
    if (!fields || Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine spent busy (every core, every process) since boot. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    TICKS_PER_SECOND
  );
}

export interface CpuUse {
  readonly opensearch: number;
  readonly localstack: number;
  /** Everything that ran on the machine, ours and everyone else's. */
  readonly machine: number;
}

/**
 * Measures CPU seconds over an interval: the benchmark's OpenSearch and LocalStack (by process
 * group) and the whole machine, so a run can say what the cluster spent and how busy the shared
 * machine was with other work meanwhile.
 */
export function startCpuMeter(groups: { opensearch: number; localstack: number }): () => CpuUse {
  const read = (): CpuUse => ({
    opensearch: groupCpuSeconds(groups.opensearch),
    localstack: groupCpuSeconds(groups.localstack),
    machine: machineBusySeconds(),
  });
  const start = read();
  return () => {
    const end = read();
    return {
      opensearch: end.opensearch - start.opensearch,
      localstack: end.localstack - start.localstack,
      machine: end.machine - start.machine,
    };
  };
}
