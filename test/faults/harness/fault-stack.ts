import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { stopProcessGroup } from '../../../scripts/stack/processes.ts';
import type { StackEnv } from '../../helpers/stack.ts';
import type { ClusterNode } from './three-nodes.ts';

/**
 * The fault suite's own OpenSearch and LocalStack, started by its global setup as local processes
 * (never the shared stack: the suite stops and restarts them). Tests read it with `faultStack()`.
 */
export interface FaultStack {
  readonly env: StackEnv;
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
  openSearchPid: number;
  localStackPid: number;
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

/** Stops OpenSearch (SIGTERM to its process group, as an orchestrator would); returns when it is gone. */
export async function stopOpenSearch(stack: FaultStack): Promise<void> {
  const state = readProcessState(stack.runDir);
  if (state) await stopProcessGroup(state.openSearchPid);
}

/** Starts OpenSearch again on the same port and data folder; resolves when the cluster is yellow. */
export async function restartOpenSearch(stack: FaultStack): Promise<void> {
  const started = await startOpenSearch(stack.openSearch);
  const state = readProcessState(stack.runDir);
  if (state) writeProcessState(stack.runDir, { ...state, openSearchPid: started.pid });
}
