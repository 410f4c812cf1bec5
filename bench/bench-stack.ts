import { type Stack, startStack } from '../scripts/stack/stack.ts';

/**
 * An OpenSearch and a LocalStack of the benchmark's own (free ports, a fresh data folder), so it
 * measures on a quiet cluster and never disturbs the shared stack other work is using. Stopped on
 * exit, on Ctrl-C and on failure.
 */
export async function startBenchStack(log: (line: string) => void): Promise<Stack> {
  const started = Date.now();
  const stack = await startStack({ persistent: false, mode: 'processes' });
  log(
    `bench stack: OpenSearch ${stack.versions.opensearch} at ${stack.env.OPENSEARCH_URL}, ` +
      `LocalStack ${stack.versions.localstack} at ${stack.env.AWS_ENDPOINT_URL} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stack.stop();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the bench stack`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    ...stack,
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
