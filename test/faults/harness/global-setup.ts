import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../../scripts/stack/localstack-process.ts';
import { startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { runDir as stackRunDir } from '../../../scripts/stack/paths.ts';
import { freePort, stopProcessGroup } from '../../../scripts/stack/processes.ts';
import { type FaultStack, readProcessState, writeProcessState } from './fault-stack.ts';
import { formatResults, readResults } from './results.ts';
import { planCluster, startCluster } from './three-nodes.ts';

/**
 * The fault suite's own OpenSearch and LocalStack as local processes on free ports, whatever else
 * runs on the machine: the scenarios stop and restart them, which a shared stack must never see.
 * At the end: the table of every scenario, then the processes stopped and their data removed
 * (kept, with the workers' logs, when a scenario failed).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = join(stackRunDir, `faults-${process.pid}-${Date.now()}`);
  mkdirSync(join(runDir, 'logs'), { recursive: true });
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
    env: {
      OPENSEARCH_URL: node.url,
      AWS_ENDPOINT_URL: local.value.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      QUEUE_URL: '',
      DLQ_URL: '',
      BUCKET: '',
    },
    openSearch,
    ...(cluster ? { cluster } : {}),
    runDir,
  };
  project.provide('faultStack', stack);

  return async () => {
    const results = readResults(runDir);
    const table = formatResults(results);
    writeFileSync(join(runDir, 'results.md'), `${table}\n`);
    console.log(`\nfault suite results\n\n${table}\n`);
    const state = readProcessState(runDir);
    if (state) {
      await Promise.all(
        [
          ...new Set([
            state.openSearchPid,
            state.localStackPid,
            ...(state.clusterPids ?? []),
            ...(state.scenarioPids ?? []),
          ]),
        ].map((pid) => stopProcessGroup(pid)),
      );
    }
    if (results.length > 0 && results.every((result) => result.ok) && !process.env.FAULTS_KEEP_LOGS) {
      rmSync(runDir, { recursive: true, force: true });
    } else {
      for (const dataDir of cluster?.map((n) => n.dataDir) ?? [join(runDir, 'opensearch')]) {
        rmSync(join(dataDir, 'data'), { recursive: true, force: true });
      }
      console.log(`faults: logs kept in ${runDir}`);
    }
  };
}
