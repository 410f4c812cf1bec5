import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { StackMode } from '../../../scripts/stack/mode.ts';
import { startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { stopProcessGroup, waitUntil } from '../../../scripts/stack/processes.ts';
import { docker } from '../../containers/docker.ts';
import type { StackEnv } from '../../helpers/stack.ts';
import type { ClusterNode } from './three-nodes.ts';

/**
 * The fault suite's own OpenSearch and LocalStack, started by its global setup as local processes, or
 * as containers with STACK_MODE=containers (never the shared stack: the suite stops and restarts them).
 * Tests read it with `faultStack()`.
 */
export interface FaultStack {
  readonly env: StackEnv;
  readonly mode: StackMode;
  /** With STACK_MODE=containers: the containers' ids (the faults act on them with the docker CLI). */
  readonly containers?: { readonly openSearch: string; readonly localStack: string };
  /** OpenSearch's port and data folder, so a restart brings back the same node with the same indexes. */
  readonly openSearch: { readonly port: number; readonly dataDir: string };
  /** In the faults-cluster project: the three nodes (OPENSEARCH_URL is the first one's). */
  readonly cluster?: readonly ClusterNode[];
  /** Folder for the run: the process state, the results rows, the worker logs of each scenario. */
  readonly runDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    faultStack: FaultStack;
  }
}

export function faultStack(): FaultStack {
  return inject('faultStack');
}

interface ProcessState {
  /** The services' process groups (none with STACK_MODE=containers). */
  openSearchPid?: number;
  localStackPid?: number;
  /** Process groups a scenario started for itself (extra clusters): stopped at the end if still there. */
  scenarioPids?: number[];
  /** The nodes of the three-node cluster, by position. */
  clusterPids?: number[];
}

const stateFile = (runDir: string): string => join(runDir, 'processes.json');

export function readProcessState(runDir: string): ProcessState | undefined {
  const file = stateFile(runDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProcessState) : undefined;
}

export function writeProcessState(runDir: string, state: ProcessState): void {
  writeFileSync(stateFile(runDir), `${JSON.stringify(state)}\n`);
}

/** Records a process group a scenario started, so the suite's teardown stops it if the scenario could not. */
export function recordScenarioProcess(stack: FaultStack, pid: number): void {
  const state = readProcessState(stack.runDir);
  if (state)
    writeProcessState(stack.runDir, { ...state, scenarioPids: [...(state.scenarioPids ?? []), pid] });
}

/**
 * Stops OpenSearch as an orchestrator would, SIGTERM and then a grace period: to its process group,
 * or `docker stop` of its container (which keeps the container, its data and its port binding).
 * Returns when it is gone.
 */
export async function stopOpenSearch(stack: FaultStack): Promise<void> {
  if (stack.containers) {
    docker(['stop', '--time', '30', stack.containers.openSearch]);
    return;
  }
  const state = readProcessState(stack.runDir);
  if (state?.openSearchPid) await stopProcessGroup(state.openSearchPid);
}

/**
 * Starts OpenSearch again on the same port and data: a new process on the same data folder, or
 * `docker start` of the same container. Resolves when the cluster is yellow.
 */
export async function restartOpenSearch(stack: FaultStack): Promise<void> {
  if (stack.containers) {
    docker(['start', stack.containers.openSearch]);
    const url = stack.env.OPENSEARCH_URL;
    await waitUntil(
      `the OpenSearch container ${stack.containers.openSearch.slice(0, 12)} on ${url}`,
      async () => (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`)).ok,
      { timeoutMs: 180_000 },
    );
    return;
  }
  const started = await startOpenSearch(stack.openSearch);
  const state = readProcessState(stack.runDir);
  if (state) writeProcessState(stack.runDir, { ...state, openSearchPid: started.pid });
}

/**
 * Freezes OpenSearch without a word to its clients: SIGSTOP to its process group, or `docker pause`
 * (the cgroup freezer). The kernel still accepts connections and takes the bytes of requests; nothing
 * answers until `thawOpenSearch`, and then the node works through every request it was sent, including
 * those whose client gave up on them long ago.
 */
export async function freezeOpenSearch(stack: FaultStack): Promise<void> {
  if (!stack.containers) {
    signalOpenSearch(stack, 'SIGSTOP');
    return;
  }
  // runc gives up when the cgroup does not settle frozen within its few tries, as happens with a busy
  // JVM on a loaded machine ("OCI runtime pause failed: unable to freeze", moby/moby#48205; seen in
  // CI at a load of 25); another attempt a moment later succeeds.
  for (let attempt = 1; ; attempt++) {
    const paused = docker(['pause', stack.containers.openSearch], { allowFailure: true });
    if (paused.status === 0) return;
    if (attempt === 10 || !/unable to freeze/.test(paused.stderr))
      throw new Error(`docker pause of OpenSearch failed (attempt ${attempt}): ${paused.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Lets a frozen OpenSearch go on; does nothing to one that is not frozen. */
export function thawOpenSearch(stack: FaultStack): void {
  if (stack.containers) docker(['unpause', stack.containers.openSearch], { allowFailure: true });
  else signalOpenSearch(stack, 'SIGCONT');
}

function signalOpenSearch(stack: FaultStack, signal: NodeJS.Signals): void {
  const pid = readProcessState(stack.runDir)?.openSearchPid;
  if (pid === undefined) throw new Error(`no OpenSearch process recorded in ${stack.runDir}`);
  process.kill(-pid, signal);
}

/** How `freezeOpenSearch` makes the fault, for the results table. */
export function openSearchFreezeLabel(stack: FaultStack): string {
  return stack.containers
    ? 'OpenSearch container frozen ~30 s (docker pause)'
    : 'OpenSearch frozen ~30 s (SIGSTOP)';
}

/** How `stopOpenSearch` and `restartOpenSearch` make the outage, for the results table. */
export function openSearchOutageLabel(stack: FaultStack): string {
  return stack.containers
    ? 'OpenSearch container stopped ~60 s (docker stop/start)'
    : 'OpenSearch stopped ~60 s, restarted';
}
