import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from '../scripts/stack/localstack-process.ts';
import { startOpenSearch } from '../scripts/stack/opensearch-process.ts';
import { runDir } from '../scripts/stack/paths.ts';
import { freePort, stopProcessGroup } from '../scripts/stack/processes.ts';
import type { StackEnv } from '../scripts/stack/stack.ts';

export type BenchStackEnv = Pick<
  StackEnv,
  'OPENSEARCH_URL' | 'AWS_ENDPOINT_URL' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'
>;

export interface BenchStack {
  readonly env: BenchStackEnv;
  readonly versions: { readonly opensearch: string; readonly localstack: string };
  /** Process groups of the services, for CPU accounting. */
  readonly groups: { readonly opensearch: number; readonly localstack: number };
  /** The OpenSearch heap, as started. */
  readonly javaOptions: string;
  stop(): Promise<void>;
}

/**
 * An OpenSearch and a LocalStack of the benchmark's own (free ports, a fresh data folder), so it
 * measures on a quiet cluster and never disturbs the shared stack other work is using. Stopped by
 * `stop()`, on Ctrl-C and on SIGTERM.
 */
export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  const started = Date.now();
  const dataDir = join(runDir, `bench-${process.pid}-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  const javaOptions = process.env.OPENSEARCH_JAVA_OPTS ?? '-Xms512m -Xmx512m';
  const [opensearchPort, localstackPort] = [await freePort(), await freePort()];
  const services = await Promise.allSettled([
    startOpenSearch({ port: opensearchPort, dataDir: join(dataDir, 'opensearch') }),
    startLocalStack({ port: localstackPort, dataDir: join(dataDir, 'localstack') }),
  ]);
  const pids = services.flatMap((s) => (s.status === 'fulfilled' ? [s.value.pid] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.all(pids.map((pid) => stopProcessGroup(pid))).then(() =>
      rmSync(dataDir, { recursive: true, force: true }),
    );
    return stopping;
  };
  const failure = services.find((s) => s.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const [opensearch, localstack] = services.map(
    (s) => (s as PromiseFulfilledResult<{ url: string; pid: number; version: string }>).value,
  ) as [{ url: string; pid: number; version: string }, { url: string; pid: number; version: string }];
  log(
    `bench stack: OpenSearch ${opensearch.version} at ${opensearch.url} (${javaOptions}), ` +
      `LocalStack ${localstack.version} at ${localstack.url}, in ${dataDir} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the bench stack`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    env: {
      OPENSEARCH_URL: opensearch.url,
      AWS_ENDPOINT_URL: localstack.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    versions: { opensearch: opensearch.version, localstack: localstack.version },
    groups: { opensearch: opensearch.pid, localstack: localstack.pid },
    javaOptions,
    stop: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stop();
    },
  };
}

/** Index patterns are the benchmark's own cluster, so it may delete them freely between runs. */
export async function deleteIndexes(url: string, pattern: string): Promise<void> {
  const response = await fetch(
    `${url}/${pattern}?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all`,
    { method: 'DELETE' },
  );
  if (!response.ok) throw new Error(`DELETE ${pattern}: ${response.status} ${await response.text()}`);
}

/** Documents visible to search now, without forcing a refresh (what a user would find). */
export async function searchableCount(url: string, pattern: string): Promise<number> {
  const response = await fetch(`${url}/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`);
  const body = (await response.json()) as { count?: number };
  return body.count ?? 0;
}

/** Refreshes, then counts: every document the cluster has accepted. */
export async function acceptedCount(url: string, pattern: string): Promise<number> {
  await fetch(`${url}/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`, { method: 'POST' });
  return searchableCount(url, pattern);
}

/** Polls until `expected` documents are searchable; returns the moment (ms since epoch) they were. */
export async function waitUntilSearchable(
  url: string,
  pattern: string,
  expected: number,
  options: { timeoutMs: number; intervalMs?: number; failed?: () => string | undefined },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await searchableCount(url, pattern);
    if (count >= expected) return Date.now();
    const failure = options.failed?.();
    if (failure) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  throw new Error(
    `${pattern}: ${count} of ${expected} documents searchable after ${options.timeoutMs / 1000} s`,
  );
}
