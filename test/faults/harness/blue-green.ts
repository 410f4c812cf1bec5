import { join } from 'node:path';
import { type RunningService, startOpenSearch } from '../../../scripts/stack/opensearch-process.ts';
import { freePort, stopProcessGroup } from '../../../scripts/stack/processes.ts';
import { type FaultStack, recordScenarioProcess } from './fault-stack.ts';

/**
 * The two clusters of a blue/green deployment: single-node OpenSearch processes of their own with
 * a small heap, sharing a snapshot repository folder (`path.repo`), which is how Amazon OpenSearch
 * Service copies a domain to its new nodes. The minimal distribution has the `fs` repository (it is
 * part of the server) but not the reindex module, so snapshot/restore is the copy here.
 */
export interface ClusterPair {
  readonly clusters: readonly [RunningService, RunningService];
  /** The folder both may use as snapshot repositories. */
  readonly repoDir: string;
  stop(): Promise<void>;
}

const SMALL_HEAP = '-Xms256m -Xmx384m';

export async function startClusterPair(stack: FaultStack): Promise<ClusterPair> {
  const repoDir = join(stack.runDir, 'blue-green-snapshots');
  const start = async (name: string): Promise<RunningService> => {
    const started = await startOpenSearch({
      port: await freePort(),
      dataDir: join(stack.runDir, `blue-green-${name}`),
      settings: { 'path.repo': repoDir, 'cluster.name': `blue-green-${name}` },
      sharedDirs: [repoDir],
      javaOpts: SMALL_HEAP,
    });
    recordScenarioProcess(stack, started.pid);
    return started;
  };
  const [a, b] = await Promise.all([start('a'), start('b')]);
  return {
    clusters: [a, b],
    repoDir,
    async stop() {
      await Promise.all([stopProcessGroup(a.pid), stopProcessGroup(b.pid)]);
    },
  };
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

export interface CopyTimes {
  /** When the snapshot began: the old cluster's writes after this are not in the copy. */
  readonly began: number;
  /** When the restore on the new cluster had finished. */
  readonly ended: number;
}

/**
 * The copy of a blue/green deployment: a snapshot of the indexes matching `pattern` and of the
 * cluster's global state (the product's index templates) on `from`, restored on `to`. `name`
 * keeps the repository of each run apart; the new cluster mounts it read-only.
 */
export async function copyCluster(
  pair: ClusterPair,
  options: { from: string; to: string; pattern: string; name: string },
): Promise<CopyTimes> {
  const location = join(pair.repoDir, options.name);
  await call(options.from, 'PUT', `/_snapshot/${options.name}`, { type: 'fs', settings: { location } });
  await call(options.to, 'PUT', `/_snapshot/${options.name}`, {
    type: 'fs',
    settings: { location, readonly: true },
  });
  const began = Date.now();
  await call(options.from, 'PUT', `/_snapshot/${options.name}/copy?wait_for_completion=true`, {
    indices: options.pattern,
    include_global_state: true,
  });
  await call(options.to, 'POST', `/_snapshot/${options.name}/copy/_restore?wait_for_completion=true`, {
    indices: options.pattern,
    include_global_state: true,
  });
  return { began, ended: Date.now() };
}
