import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { CloudTrailFile } from '../../helpers/cloudtrail-files.ts';
import { countDocuments } from '../../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { type CliProcess, startCli } from '../../helpers/worker-process.ts';
import { type FaultStack, faultStack } from './fault-stack.ts';
import { indexedEventIds } from './indexed-events.ts';
import { type FaultResult, recordResult } from './results.ts';

/**
 * Short settings so that faults play out in seconds, not minutes: a message whose worker died is
 * visible again after 30 s, a lease is renewed every 5 s, a failed message is retried after 1 s, and
 * a silent AWS endpoint is given up on after 25 s.
 */
export const SHORT_SETTINGS: Readonly<Record<string, string>> = {
  VISIBILITY_TIMEOUT_SECONDS: '30',
  HEARTBEAT_SECONDS: '5',
  RETRY_DELAY_SECONDS: '1',
  AWS_REQUEST_TIMEOUT_SECONDS: '25',
  SHUTDOWN_GRACE_SECONDS: '5',
  LOG_LEVEL: 'info',
};

export interface Verdict extends FaultResult {
  /** Expected eventIDs that are not in OpenSearch, and indexed ones nobody uploaded (first few of each). */
  readonly missing: readonly string[];
  /** How many expected eventIDs are not in OpenSearch. */
  readonly missingCount: number;
  readonly unexpected: readonly string[];
}

export interface Scenario {
  readonly stack: FaultStack;
  readonly fixture: QueueFixture;
  /** Every index of this scenario. */
  readonly pattern: string;
  readonly workers: CliProcess[];
  /** Uploads a file whose events must all end up indexed (or, with `expected: false`, none of them). */
  upload(file: CloudTrailFile, options?: { expected?: boolean }): Promise<void>;
  /** Counts a file that reaches the queue by other means (a hand-sent notification, say). */
  countFile(): void;
  readonly expectedIds: ReadonlySet<string>;
  /** The worker as its own process, with the short settings and the fixture's queue; waits until it runs. */
  startWorker(extra?: Record<string, string>): Promise<CliProcess>;
  /**
   * Waits until every expected event is searchable and the queue is empty (or the time is up). With
   * `lossExpected`, until the queue is empty: every file was handled, and the count will not rise.
   */
  waitForIngestion(timeoutMs: number, options?: { lossExpected?: boolean }): Promise<void>;
  /**
   * Compares what is indexed with what was uploaded, records the table row, keeps the workers' logs.
   * With `lossExpected` (a fault the product cannot survive without a setting, shown for contrast)
   * the row is ok when events are missing and nothing else is wrong.
   */
  verify(dlqExpected: number, options?: { lossExpected?: boolean }): Promise<Verdict>;
  /** Stops the workers (SIGTERM) and removes the bucket, queues and indexes. */
  cleanup(): Promise<void>;
}

export interface ScenarioOptions {
  /** The OpenSearch endpoint the worker writes to and the verdict reads (default the suite's node). */
  readonly openSearchUrl?: string;
}

export async function createScenario(
  name: string,
  fault: string,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  const stack = faultStack();
  const openSearchUrl = options.openSearchUrl ?? stack.env.OPENSEARCH_URL;
  const creating = Date.now();
  const fixture = await createQueueFixture(stack.env, name);
  console.log(`faults: ${name}: bucket, queue and DLQ created in ${Date.now() - creating} ms`);
  const pattern = `${fixture.indexPrefix}-*`;
  const expectedIds = new Set<string>();
  const workers: CliProcess[] = [];
  const started = Date.now();
  let files = 0;

  const queueDepth = async (url: string): Promise<number> => {
    const { Attributes } = await fixture.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  return {
    stack,
    fixture,
    pattern,
    workers,
    expectedIds,
    async upload(file, options = {}) {
      await fixture.upload(file);
      files += 1;
      if (options.expected ?? true) for (const id of file.eventIds) expectedIds.add(id);
    },
    countFile() {
      files += 1;
    },
    async startWorker(extra = {}) {
      const worker = startCli(
        ['worker'],
        fixture.workerEnv({ ...SHORT_SETTINGS, OPENSEARCH_URL: openSearchUrl, ...extra }),
      );
      workers.push(worker);
      await worker.waitForLog((line) => line.msg === 'worker started', 120_000);
      return worker;
    },
    async waitForIngestion(timeoutMs, waitOptions = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const count = await countDocuments(openSearchUrl, pattern).catch(() => 0);
        const enough = waitOptions.lossExpected === true || count >= expectedIds.size;
        if (enough && (await queueDepth(fixture.queueUrl)) === 0) {
          // A message deleted last may have had company; look once more after a moment.
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          if ((await queueDepth(fixture.queueUrl)) === 0) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    async verify(dlqExpected, verifyOptions = {}) {
      const ids = await indexedEventIds(openSearchUrl, pattern);
      const distinct = new Set(ids);
      const missing = [...expectedIds].filter((id) => !distinct.has(id));
      const unexpected = [...distinct].filter((id) => !expectedIds.has(id));
      const messagesInDlq = await queueDepth(fixture.dlqUrl);
      const duplicates = ids.length - distinct.size;
      const verdict: Verdict = {
        fault,
        files,
        eventsExpected: expectedIds.size,
        eventsIndexed: ids.length,
        duplicates,
        messagesInDlq,
        dlqExpected,
        seconds: Math.round((Date.now() - started) / 1000),
        ok:
          (verifyOptions.lossExpected ? missing.length > 0 : missing.length === 0) &&
          unexpected.length === 0 &&
          duplicates === 0 &&
          messagesInDlq === dlqExpected,
        missing: missing.slice(0, 5),
        missingCount: missing.length,
        unexpected: unexpected.slice(0, 5),
      };
      const { missing: _m, missingCount: _c, unexpected: _u, ...row } = verdict;
      recordResult(stack.runDir, row);
      for (const [n, worker] of workers.entries()) {
        writeFileSync(join(stack.runDir, 'logs', `${name}-worker-${n + 1}.log`), worker.output());
      }
      return verdict;
    },
    async cleanup() {
      const stopping = Date.now();
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      const stopped = Date.now();
      await fixture.cleanup();
      console.log(
        `faults: ${name}: workers stopped in ${stopped - stopping} ms, fixture removed in ${Date.now() - stopped} ms`,
      );
    },
  };
}

/** The figures a passing scenario has: nothing missing, nothing extra, no duplicate, the DLQ as expected. */
export function cleanOutcome(verdict: Verdict): Record<string, unknown> {
  return {
    missing: [],
    missingCount: 0,
    unexpected: [],
    duplicates: 0,
    eventsIndexed: verdict.eventsExpected,
    messagesInDlq: verdict.dlqExpected,
  };
}

export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}
