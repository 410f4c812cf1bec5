import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../helpers/opensearch.ts';
import { syntheticLogFile } from '../helpers/synthetic-log.ts';
import type { CliProcess } from '../helpers/worker-process.ts';
import { type ClusterPair, copyCluster, startClusterPair } from './harness/blue-green.ts';
import { type DomainControlPlane, startDomainControlPlane } from './harness/domain-control-plane.ts';
import { faultStack } from './harness/fault-stack.ts';
import { indexedEventIds } from './harness/indexed-events.ts';
import { cleanOutcome, createScenario, until, type Verdict } from './harness/scenario.ts';
import { startTcpProxy } from './harness/tcp-proxy.ts';

/**
 * Amazon OpenSearch Service changes a domain by blue/green deployment: new nodes are provisioned,
 * the old cluster is copied to them, and the endpoint is switched at the end. Writes the old
 * cluster accepts after the copy began are not in the new one: acknowledged, then gone. Here the
 * old and the new cluster are two OpenSearch processes, the copy is a snapshot/restore, the domain
 * endpoint is a TCP proxy switched from old to new, and DescribeDomain is a stand-in control plane
 * (harness/domain-control-plane.ts) saying `Processing: true` from the start of the change to its end.
 * The same change is played twice in one run, on a steady stream of files: without
 * OPENSEARCH_DOMAIN_NAME (the loss, counted), then with it (nothing lost).
 */

const DOMAIN = 'audit-logs';
/** A file every second, of this many events, before, during and after the change. */
const EVENTS_PER_FILE = 200;
const STREAM_INTERVAL_MS = 1_000;
/**
 * From the start of the change to the start of the copy: the time the service takes to provision
 * the new nodes (minutes on AWS). The worker's DescribeDomain interval and the files in flight at
 * the pause must fit in it, as they do there with the default 60 s interval.
 */
const PROVISIONING_MS = 8_000;
/** From the end of the restore to the switch of the endpoint. */
const SWITCH_AFTER_COPY_MS = 3_000;
/** Files keep coming for this long after the switch. */
const STREAM_AFTER_SWITCH_MS = 5_000;

interface ChangeRun {
  readonly verdict: Verdict;
  /** eventIDs on the old cluster that are not on the new one: the writes after the copy began. */
  readonly writtenToOldAfterCopy: number;
  readonly files: { before: number; during: number; after: number };
  readonly changeSeconds: number;
  /** Highest `lagSeconds` the worker logged for files uploaded while the domain was changing. */
  readonly maxLagDuringChange: number;
  readonly worker: CliProcess;
}

describe('fault: a blue/green domain change copies the old cluster to a new one and switches the endpoint', () => {
  let pair: ClusterPair;
  let plane: DomainControlPlane;
  /** Each run's cleanup, started when its verdict is in: an idle worker takes up to 20 s to stop. */
  const cleanups: Promise<void>[] = [];

  beforeAll(async () => {
    const started = Date.now();
    [pair, plane] = await Promise.all([startClusterPair(faultStack()), startDomainControlPlane(DOMAIN)]);
    console.log(
      `faults: blue/green: clusters ${pair.clusters.map((c) => c.url).join(' and ')} started in ${Math.round((Date.now() - started) / 1000)} s; DescribeDomain stand-in on ${plane.url}`,
    );
  });

  afterAll(async () => {
    await Promise.all(cleanups);
    await plane?.close();
    await pair?.stop();
  });

  async function playChange(options: {
    name: string;
    fault: string;
    from: string;
    to: string;
    autoPause: boolean;
  }): Promise<ChangeRun> {
    const endpoint = await startTcpProxy(options.from);
    const scenario = await createScenario(options.name, options.fault, { openSearchUrl: endpoint.url });
    try {
      const worker = await scenario.startWorker(
        options.autoPause
          ? {
              OPENSEARCH_DOMAIN_NAME: DOMAIN,
              DOMAIN_CHECK_SECONDS: '1',
              // Only the OpenSearch Service API goes to the stand-in; S3, SQS and SSM stay on LocalStack.
              AWS_ENDPOINT_URL_OPENSEARCH: plane.url,
            }
          : {},
      );

      const uploadedAt = new Map<string, number>();
      // Read by the stream's loop; an object, as TypeScript would narrow a `let` to 'before' there.
      const now: { phase: 'before' | 'during' | 'after' } = { phase: 'before' };
      const files = { before: 0, during: 0, after: 0 };
      const duringKeys = new Set<string>();
      let streaming = true;
      const stream = (async () => {
        for (let n = 1; streaming; n++) {
          const next = Date.now() + STREAM_INTERVAL_MS;
          const file = syntheticLogFile(EVENTS_PER_FILE, `${options.name}-${n}`);
          await scenario.upload(file);
          uploadedAt.set(file.key, Date.now());
          files[now.phase] += 1;
          if (now.phase === 'during') duringKeys.add(file.key);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
        }
      })();

      await until(
        'the stream is being indexed on the old cluster',
        async () => (await countDocuments(options.from, scenario.pattern)) >= 2 * EVENTS_PER_FILE,
        120_000,
      );
      const changeStarted = Date.now();
      now.phase = 'during';
      plane.beginChange();
      await new Promise((resolve) => setTimeout(resolve, PROVISIONING_MS));
      const copy = await copyCluster(pair, {
        from: options.from,
        to: options.to,
        pattern: scenario.pattern,
        name: options.name,
      });
      await new Promise((resolve) => setTimeout(resolve, SWITCH_AFTER_COPY_MS));
      endpoint.switchTo(options.to);
      plane.endChange();
      now.phase = 'after';
      const changeSeconds = (Date.now() - changeStarted) / 1000;
      console.log(
        `faults: ${options.name}: change ${changeSeconds.toFixed(1)} s (copy ${((copy.ended - copy.began) / 1000).toFixed(1)} s, began ${((copy.began - changeStarted) / 1000).toFixed(1)} s in)`,
      );
      await new Promise((resolve) => setTimeout(resolve, STREAM_AFTER_SWITCH_MS));
      streaming = false;
      await stream;

      await scenario.waitForIngestion(120_000, { lossExpected: !options.autoPause });
      const verdict = await scenario.verify(0, { lossExpected: !options.autoPause });
      const onNew = new Set(await indexedEventIds(options.to, scenario.pattern));
      const onOld = await indexedEventIds(options.from, scenario.pattern);
      const writtenToOldAfterCopy = onOld.filter((id) => !onNew.has(id)).length;
      const lags = worker
        .logs()
        .filter((line) => line.msg === 'log file indexed' && duringKeys.has(String(line.key)))
        .map((line) => Number(line.lagSeconds ?? 0));
      const run: ChangeRun = {
        verdict,
        writtenToOldAfterCopy,
        files,
        changeSeconds,
        maxLagDuringChange: Math.max(0, ...lags),
        worker,
      };
      console.log(
        `faults: ${options.name}: files ${JSON.stringify(files)}, ${verdict.eventsExpected} events uploaded, ${verdict.missingCount} missing from the new cluster, ${writtenToOldAfterCopy} written to the old one after the copy began; highest lag of a file uploaded during the change ${run.maxLagDuringChange} s`,
      );
      return run;
    } finally {
      cleanups.push(scenario.cleanup().finally(() => endpoint.close()));
    }
  }

  it('loses the writes made during the change without OPENSEARCH_DOMAIN_NAME, and none with it', async () => {
    const [a, b] = pair.clusters;
    const unwatched = await playChange({
      name: 'bluegreen-unwatched',
      fault: 'blue/green change, no OPENSEARCH_DOMAIN_NAME (loss expected)',
      from: a.url,
      to: b.url,
      autoPause: false,
    });
    // The predecessor's loss, measured: acknowledged files whose events the new cluster never got.
    expect(unwatched.verdict.missingCount).toBeGreaterThan(0);
    expect(unwatched.verdict.missingCount).toBe(unwatched.writtenToOldAfterCopy);
    expect(unwatched.verdict).toMatchObject({ duplicates: 0, unexpected: [], messagesInDlq: 0, ok: true });

    // The next change of the same domain: the cluster that is current now (b) is copied to a fresh one (a).
    const watched = await playChange({
      name: 'bluegreen-watched',
      fault: 'blue/green change, OPENSEARCH_DOMAIN_NAME set',
      from: b.url,
      to: a.url,
      autoPause: true,
    });
    expect(watched.verdict).toMatchObject(cleanOutcome(watched.verdict));
    expect(watched.writtenToOldAfterCopy).toBe(0);
    expect(watched.files.during).toBeGreaterThan(0);
    const logs = watched.worker.logs();
    const paused = logs.findIndex((line) => String(line.msg).includes('pausing ingestion'));
    const resumed = logs.findIndex((line) => String(line.msg).includes('resuming ingestion'));
    expect(paused).toBeGreaterThanOrEqual(0);
    expect(resumed).toBeGreaterThan(paused);
    expect(plane.stats.describesWhileChanging).toBeGreaterThan(0);
  });
});
