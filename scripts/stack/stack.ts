import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startContainers } from './containers.ts';
import { startLocalStack } from './localstack-process.ts';
import { chooseMode, type StackMode } from './mode.ts';
import { startOpenSearch } from './opensearch-process.ts';
import { runDir, stackDir, stackEnvFile, stackStateFile } from './paths.ts';
import { freePort, isAlive, stopProcessGroup } from './processes.ts';
import { createNotificationResources } from './resources.ts';

export const DEMO_NAMES = {
  bucket: 'cloudtrail-indexer-demo',
  queue: 'cloudtrail-indexer-notifications',
  dlq: 'cloudtrail-indexer-dlq',
} as const;

const REGION = 'us-east-1';

/** The local configuration contract: every CLI command runs against the stack with these in its environment. */
export interface StackEnv {
  OPENSEARCH_URL: string;
  AWS_ENDPOINT_URL: string;
  AWS_REGION: string;
  /** The same region for the AWS CLI, which reads only this name. */
  AWS_DEFAULT_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  QUEUE_URL: string;
  DLQ_URL: string;
  BUCKET: string;
}

interface StackState {
  mode: StackMode;
  pids: number[];
  containerIds: string[];
  versions: { opensearch: string; localstack: string };
}

export interface Stack {
  env: StackEnv;
  mode: StackMode;
  versions: StackState['versions'];
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3_000) })).ok;
  } catch {
    return false;
  }
}

export function parseDotenv(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => /^\s*([A-Z0-9_]+)=(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1] as string, (match[2] as string).trim()]);
  return Object.fromEntries(entries);
}

/** The stack that `stack:up` left running, if both services still answer. */
export async function findRunningStack(): Promise<StackEnv | undefined> {
  if (!existsSync(stackEnvFile)) return undefined;
  const env = parseDotenv(readFileSync(stackEnvFile, 'utf8')) as unknown as StackEnv;
  if (!env.OPENSEARCH_URL || !env.AWS_ENDPOINT_URL) return undefined;
  const alive = await Promise.all([
    reachable(env.OPENSEARCH_URL),
    reachable(`${env.AWS_ENDPOINT_URL}/_localstack/health`),
  ]);
  return alive.every(Boolean) ? env : undefined;
}

/**
 * Starts OpenSearch and LocalStack (as local processes, or as containers where Docker runs) and
 * creates the demo bucket, queue, dead-letter queue and notification.
 * `persistent` is for `stack:up`: fixed data folder, conventional ports when free, state on disk.
 */
export async function startStack(options: { persistent: boolean; mode?: StackMode }): Promise<Stack> {
  const mode = options.mode ?? chooseMode();
  let urls: { opensearch: string; localstack: string };
  let state: StackState;
  let stopServices: () => Promise<void>;
  let dataDir: string | undefined;

  if (mode === 'containers') {
    const started = await startContainers();
    urls = { opensearch: started.opensearch.url, localstack: started.localstack.url };
    state = {
      mode,
      pids: [],
      containerIds: started.containerIds,
      versions: { opensearch: started.opensearch.version, localstack: started.localstack.version },
    };
    stopServices = started.stop;
  } else {
    dataDir = join(runDir, options.persistent ? 'stack' : `test-${process.pid}-${Date.now()}`);
    mkdirSync(dataDir, { recursive: true });
    const [openSearchPort, localStackPort] = options.persistent
      ? [await freePort(9200), await freePort(4566)]
      : [await freePort(), await freePort()];
    const started = await Promise.allSettled([
      startOpenSearch({ port: openSearchPort, dataDir: join(dataDir, 'opensearch') }),
      startLocalStack({ port: localStackPort, dataDir: join(dataDir, 'localstack') }),
    ]);
    const pids = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.pid] : []));
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) {
      await Promise.all(pids.map((pid) => stopProcessGroup(pid)));
      throw failure.reason;
    }
    const [opensearch, localstack] = started.map(
      (s) => (s as PromiseFulfilledResult<{ url: string; version: string }>).value,
    ) as [{ url: string; version: string }, { url: string; version: string }];
    urls = { opensearch: opensearch.url, localstack: localstack.url };
    state = {
      mode,
      pids,
      containerIds: [],
      versions: { opensearch: opensearch.version, localstack: localstack.version },
    };
    stopServices = async () => {
      await Promise.all(pids.map((pid) => stopProcessGroup(pid)));
    };
  }

  const resources = await createNotificationResources(
    { endpoint: urls.localstack, region: REGION },
    DEMO_NAMES,
  );
  const env: StackEnv = {
    OPENSEARCH_URL: urls.opensearch,
    AWS_ENDPOINT_URL: urls.localstack,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    QUEUE_URL: resources.queueUrl,
    DLQ_URL: resources.dlqUrl,
    BUCKET: resources.bucket,
  };
  if (options.persistent) {
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(
      stackEnvFile,
      `${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
    writeFileSync(stackStateFile, `${JSON.stringify(state, null, 2)}\n`);
  }
  return {
    env,
    mode,
    versions: state.versions,
    stop: async () => {
      await stopServices();
      if (dataDir && !options.persistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stops what `stack:up` started (and only that); returns what it stopped. */
export async function stopPersistentStack(): Promise<string[]> {
  if (!existsSync(stackStateFile)) return [];
  const state = JSON.parse(readFileSync(stackStateFile, 'utf8')) as StackState;
  const stopped: string[] = [];
  for (const pid of state.pids.filter(isAlive)) {
    await stopProcessGroup(pid);
    stopped.push(`process group ${pid}`);
  }
  if (state.containerIds.length > 0) {
    spawnSync('docker', ['rm', '-f', ...state.containerIds], { stdio: 'ignore' });
    stopped.push(...state.containerIds.map((id) => `container ${id.slice(0, 12)}`));
  }
  rmSync(stackStateFile, { force: true });
  rmSync(stackEnvFile, { force: true });
  return stopped;
}
