import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type StartedContainers, startContainers } from '../../../scripts/stack/containers.ts';
import { startLocalStack } from '../../../scripts/stack/localstack-process.ts';
import { chooseMode } from '../../../scripts/stack/mode.ts';
import { startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { runDir as stackRunDir } from '../../../scripts/stack/paths.ts';
import { freePort, StackError, stopProcessGroup } from '../../../scripts/stack/processes.ts';
import { docker } from '../../containers/docker.ts';
import { type FaultStack, readProcessState, writeProcessState } from './fault-stack.ts';
import { formatResults, readResults } from './results.ts';
import { planCluster, startCluster } from './three-nodes.ts';

/**
 * The fault suite's own OpenSearch and LocalStack, on free ports with data of their own, whatever else
 * runs on the machine: the scenarios stop and restart them, which a shared stack must never see. Local
 * processes, or containers with STACK_MODE=containers (the faults-cluster project's three nodes are
 * processes only). At the end: the table of every scenario, then the services stopped and their data
 * removed (kept, with the workers' and containers' logs, when a scenario failed).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = join(stackRunDir, `faults-${process.pid}-${Date.now()}`);
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  const mode = chooseMode();
  if (mode === 'containers' && project.name === 'faults-cluster')
    throw new StackError(
      'The faults-cluster project runs its three OpenSearch nodes as local processes; run it without STACK_MODE=containers.',
    );
  return mode === 'containers' ? setupContainers(project, runDir) : setupProcesses(project, runDir);
}

const LOCAL_CREDENTIALS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  QUEUE_URL: '',
  DLQ_URL: '',
  BUCKET: '',
} as const;

async function setupContainers(project: TestProject, runDir: string): Promise<() => Promise<void>> {
  const started = Date.now();
  const containers: StartedContainers = await startContainers();
  const [openSearch, localStack] = containers.containerIds;
  writeProcessState(runDir, {});
  console.log(
    `faults: OpenSearch ${containers.opensearch.version} (${containers.opensearch.url}, container ${openSearch.slice(0, 12)}) and LocalStack ${containers.localstack.version} (${containers.localstack.url}, container ${localStack.slice(0, 12)}) started as containers in ${Math.round((Date.now() - started) / 1000)} s; run folder ${runDir}`,
  );
  const stack: FaultStack = {
    env: {
      OPENSEARCH_URL: containers.opensearch.url,
      AWS_ENDPOINT_URL: containers.localstack.url,
      ...LOCAL_CREDENTIALS,
    },
    mode: 'containers',
    containers: { openSearch, localStack },
    openSearch: {
      port: Number(new URL(containers.opensearch.url).port),
      dataDir: join(runDir, 'opensearch'),
    },
    runDir,
  };
  project.provide('faultStack', stack);
  return async () => {
    const ok = reportResults(runDir);
    if (!ok) {
      // The containers go with their logs: keep those beside the workers'.
      for (const [name, id] of Object.entries(stack.containers ?? {})) {
        const logs = docker(['logs', id], { allowFailure: true });
        writeFileSync(join(runDir, 'logs', `${name}-container.log`), `${logs.stdout}${logs.stderr}`);
      }
    }
    await stopScenarioProcesses(runDir);
    await containers.stop();
    finishRunDir(runDir, ok, []);
  };
}

async function setupProcesses(project: TestProject, runDir: string): Promise<() => Promise<void>> {
  // The faults-cluster project runs OpenSearch as three nodes (harness/three-nodes.ts), the other one node.
  const cluster = project.name === 'faults-cluster' ? await planCluster(runDir) : undefined;
  const first = cluster?.[0];
  const openSearch = first
    ? { port: first.port, dataDir: first.dataDir }
    : { port: await freePort(), dataDir: join(runDir, 'opensearch') };
  const started = Date.now();
  const [search, local] = await Promise.allSettled([
    cluster ? startCluster(cluster) : startOpenSearch(openSearch).then((node) => [node]),
    startLocalStack({ port: await freePort(), dataDir: join(runDir, 'localstack') }),
  ]);
  if (search.status === 'rejected' || local.status === 'rejected') {
    if (search.status === 'fulfilled') for (const node of search.value) await stopProcessGroup(node.pid);
    if (local.status === 'fulfilled') await stopProcessGroup(local.value.pid);
    throw search.status === 'rejected' ? search.reason : (local as PromiseRejectedResult).reason;
  }
  const nodes = search.value;
  const node = nodes[0] as (typeof nodes)[number];
  writeProcessState(runDir, {
    openSearchPid: node.pid,
    localStackPid: local.value.pid,
    ...(cluster ? { clusterPids: nodes.map((started) => started.pid) } : {}),
  });
  console.log(
    `faults: OpenSearch ${node.version} (${nodes.map((started) => started.url).join(', ')}) and LocalStack ${local.value.version} (${local.value.url}) started in ${Math.round((Date.now() - started) / 1000)} s; run folder ${runDir}`,
  );
  const stack: FaultStack = {
    env: { OPENSEARCH_URL: node.url, AWS_ENDPOINT_URL: local.value.url, ...LOCAL_CREDENTIALS },
    mode: 'processes',
    openSearch,
    ...(cluster ? { cluster } : {}),
    runDir,
  };
  project.provide('faultStack', stack);

  return async () => {
    const ok = reportResults(runDir);
    await stopScenarioProcesses(runDir);
    finishRunDir(runDir, ok, cluster?.map((n) => n.dataDir) ?? [join(runDir, 'opensearch')]);
  };
}

/** Prints the table (and writes it to the run folder); true when there were rows and all passed. */
function reportResults(runDir: string): boolean {
  const results = readResults(runDir);
  const table = formatResults(results);
  writeFileSync(join(runDir, 'results.md'), `${table}\n`);
  console.log(`\nfault suite results (${chooseMode()})\n\n${table}\n`);
  return results.length > 0 && results.every((result) => result.ok);
}

/** Every process group in the state file: the services run as processes and those scenarios started. */
async function stopScenarioProcesses(runDir: string): Promise<void> {
  const state = readProcessState(runDir);
  if (!state) return;
  const pids = [
    state.openSearchPid,
    state.localStackPid,
    ...(state.clusterPids ?? []),
    ...(state.scenarioPids ?? []),
  ];
  await Promise.all(
    [...new Set(pids)].filter((pid) => pid !== undefined).map((pid) => stopProcessGroup(pid)),
  );
}

/** Removes the run folder when every scenario passed (unless FAULTS_KEEP_LOGS); else keeps the logs only. */
function finishRunDir(runDir: string, ok: boolean, dataDirs: readonly string[]): void {
  if (ok && !process.env.FAULTS_KEEP_LOGS) {
    rmSync(runDir, { recursive: true, force: true });
    return;
  }
  for (const dataDir of dataDirs) rmSync(join(dataDir, 'data'), { recursive: true, force: true });
  console.log(`faults: logs kept in ${runDir}`);
}
