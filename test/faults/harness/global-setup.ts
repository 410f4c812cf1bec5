import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../../scripts/stack/localstack-process.ts';
import { startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { runDir as stackRunDir } from '../../../scripts/stack/paths.ts';
import { freePort, stopProcessGroup } from '../../../scripts/stack/processes.ts';
import { type FaultStack, readProcessState, writeProcessState } from './fault-stack.ts';
import { formatResults, readResults } from './results.ts';

/**
 * The fault suite's own OpenSearch and LocalStack as local processes on free ports, whatever else
 * runs on the machine: the scenarios stop and restart them, which a shared stack must never see.
 * At the end: the table of every scenario, then the processes stopped and their data removed
 * (kept, with the workers' logs, when a scenario failed).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = join(stackRunDir, `faults-${process.pid}-${Date.now()}`);
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  const openSearch = { port: await freePort(), dataDir: join(runDir, 'opensearch') };
  const started = Date.now();
  const [search, local] = await Promise.allSettled([
    startOpenSearch(openSearch),
    startLocalStack({ port: await freePort(), dataDir: join(runDir, 'localstack') }),
  ]);
  if (search.status === 'rejected' || local.status === 'rejected') {
    for (const service of [search, local]) {
      if (service.status === 'fulfilled') await stopProcessGroup(service.value.pid);
    }
    throw search.status === 'rejected' ? search.reason : (local as PromiseRejectedResult).reason;
  }
  writeProcessState(runDir, { openSearchPid: search.value.pid, localStackPid: local.value.pid });
  console.log(
    `faults: OpenSearch ${search.value.version} (${search.value.url}) and LocalStack ${local.value.version} (${local.value.url}) started in ${Math.round((Date.now() - started) / 1000)} s; run folder ${runDir}`,
  );
  const stack: FaultStack = {
    env: {
      OPENSEARCH_URL: search.value.url,
      AWS_ENDPOINT_URL: local.value.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      QUEUE_URL: '',
      DLQ_URL: '',
      BUCKET: '',
    },
    openSearch,
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
      await Promise.all([stopProcessGroup(state.openSearchPid), stopProcessGroup(state.localStackPid)]);
    }
    if (results.length > 0 && results.every((result) => result.ok) && !process.env.FAULTS_KEEP_LOGS) {
      rmSync(runDir, { recursive: true, force: true });
    } else {
      rmSync(join(runDir, 'opensearch', 'data'), { recursive: true, force: true });
      console.log(`faults: logs kept in ${runDir}`);
    }
  };
}
