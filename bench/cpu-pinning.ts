import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

function pidsOfGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function taskset(args: readonly string[]): void {
  const result = spawnSync('taskset', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset ${args.join(' ')} failed: ${result.stderr}`);
}

/** Every thread of every process of a group (one of the benchmark's own services) onto these CPUs. */
export function pinGroup(pgid: number, cpuList: string): void {
  for (const pid of pidsOfGroup(pgid)) taskset(['-a', '-p', '-c', cpuList, String(pid)]);
}

/** This process's main thread onto these CPUs; children it starts from now on inherit them. */
export function pinSelf(cpuList: string): void {
  taskset(['-p', '-c', cpuList, String(process.pid)]);
}

export const ALL_CPUS = `0-${cpus().length - 1}`;

/**
 * Runs `work` with the cluster on the last CPU and everything else the benchmark starts (this
 * process, the CLI under test, LocalStack) on the others: on a 2-core machine, the nearest thing to
 * the product and OpenSearch running on separate machines, so the product's own CPU does not come
 * out of the cluster's. Other sessions on the machine are not pinned and still use both.
 */
export async function withDedicatedClusterCpu<T>(
  groups: { readonly opensearch: number; readonly localstack: number },
  work: () => Promise<T>,
): Promise<T> {
  const last = cpus().length - 1;
  const rest = last === 1 ? '0' : `0-${last - 1}`;
  pinGroup(groups.opensearch, String(last));
  pinGroup(groups.localstack, rest);
  pinSelf(rest);
  try {
    return await work();
  } finally {
    pinSelf(ALL_CPUS);
    pinGroup(groups.localstack, ALL_CPUS);
    pinGroup(groups.opensearch, ALL_CPUS);
  }
}
