import { join } from 'node:path';
import { type RunningService, startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { freePort, isAlive, stopProcessGroup } from '../../../scripts/stack/processes.ts';
import { type FaultStack, readProcessState, writeProcessState } from './fault-stack.ts';

/**
 * OpenSearch as a cluster of three nodes on loopback: each its own process, HTTP and transport
 * port and data folder, found through discovery.seed_hosts and bootstrapped once with all three as
 * cluster-manager candidates. Any two form a quorum, so the cluster keeps accepting writes with one
 * node gone. Small heaps: three JVMs share two cores with everything else.
 */
export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly transportPort: number;
  readonly dataDir: string;
}

export const CLUSTER_NAME = 'cti-faults';
const NODE_HEAP = '-Xms256m -Xmx384m';

export async function planCluster(runDir: string, size = 3): Promise<ClusterNode[]> {
  const nodes: ClusterNode[] = [];
  for (let n = 1; n <= size; n++) {
    nodes.push({
      name: `node-${n}`,
      port: await freePort(),
      transportPort: await freePort(),
      dataDir: join(runDir, `opensearch-node-${n}`),
    });
  }
  return nodes;
}

export function startClusterNode(node: ClusterNode, all: readonly ClusterNode[]): Promise<RunningService> {
  return startOpenSearch({
    port: node.port,
    dataDir: node.dataDir,
    javaOpts: NODE_HEAP,
    settings: {
      'cluster.name': CLUSTER_NAME,
      'node.name': node.name,
      'transport.port': String(node.transportPort),
      'discovery.seed_hosts': all.map((other) => `127.0.0.1:${other.transportPort}`).join(','),
      // Read only when the cluster first forms; a node that comes back rejoins the cluster it knows.
      'cluster.initial_cluster_manager_nodes': all.map((other) => other.name).join(','),
    },
  });
}

/**
 * All nodes at once: none can elect a cluster manager alone, so each waits for the others. If one
 * fails to start, the others are stopped before the error is passed on.
 */
export async function startCluster(nodes: readonly ClusterNode[]): Promise<RunningService[]> {
  const results = await Promise.allSettled(nodes.map((node) => startClusterNode(node, nodes)));
  const failed = results.find((result) => result.status === 'rejected');
  if (!failed) return results.map((result) => (result as PromiseFulfilledResult<RunningService>).value);
  for (const result of results) if (result.status === 'fulfilled') await stopProcessGroup(result.value.pid);
  throw failed.reason;
}

function clusterPid(stack: FaultStack, index: number): number {
  const pid = readProcessState(stack.runDir)?.clusterPids?.[index];
  if (pid === undefined) throw new Error(`no process recorded for cluster node ${index + 1}`);
  return pid;
}

/** SIGKILL to the node's process group: no shutdown, no goodbye to the cluster. Returns when it is gone. */
export async function killNode(stack: FaultStack, index: number): Promise<void> {
  const pid = clusterPid(stack, index);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Starts the node again on its ports and data folder; resolves when it answers with the cluster yellow. */
export async function restartNode(stack: FaultStack, index: number): Promise<void> {
  const nodes = stack.cluster;
  const node = nodes?.[index];
  if (!nodes || !node) throw new Error(`the fault stack has no cluster node ${index + 1}`);
  const started = await startClusterNode(node, nodes);
  const state = readProcessState(stack.runDir);
  if (state) {
    const clusterPids = [...(state.clusterPids ?? [])];
    clusterPids[index] = started.pid;
    writeProcessState(stack.runDir, { ...state, clusterPids });
  }
}
