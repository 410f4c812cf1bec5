import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../../helpers/opensearch.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';
import { faultStack } from '../harness/fault-stack.ts';
import { cleanOutcome, createScenario, type Scenario, until } from '../harness/scenario.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';
import { killNode, restartNode } from '../harness/three-nodes.ts';

/** How long the killed node stays down before it is started again (its start-up comes on top). */
const DOWN_MS = 20_000;

/**
 * Reads through the balancer, again on a failed connection: once a node is killed, a pooled connection
 * the balancer had paired with it fails its next request ("other side closed"), and a new one reaches a
 * live node. Only the test's own reads need this; the worker's retries are what the scenario tests.
 */
async function readThroughEndpoint<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function getJson<T>(url: string): Promise<T> {
  return readThroughEndpoint(async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  });
}

describe('fault: one node of a three-node cluster is SIGKILLed mid-ingest, then brought back', () => {
  let scenario: Scenario;
  /** The domain endpoint: a balancer over the three nodes' HTTP ports, as on Amazon OpenSearch Service. */
  let endpoint: TcpProxy;

  beforeAll(async () => {
    const nodes = faultStack().cluster;
    if (!nodes) throw new Error('the faults-cluster project starts three nodes; this scenario needs them');
    endpoint = await startTcpProxy(nodes.map((node) => `http://127.0.0.1:${node.port}`));
    scenario = await createScenario(
      'node-loss',
      'cluster manager of 3 nodes SIGKILLed mid-ingest, restarted',
      {
        openSearchUrl: endpoint.url,
      },
    );
  });

  afterAll(async () => {
    await scenario?.cleanup();
    await endpoint?.close();
  });

  it('indexes every event exactly once, with 3 shards and 1 replica, and nothing in the DLQ', async () => {
    const { stack } = scenario;
    const nodes = stack.cluster ?? [];
    const url = endpoint.url;
    const worker = await scenario.startWorker({
      INDEX_SHARDS: '3',
      INDEX_REPLICAS: '1',
      BULK_MAX_DOCUMENTS: '500',
    });
    await scenario.upload(syntheticLogFile(20_000, 'node-loss-large'));
    for (const n of [1, 2, 3, 4]) await scenario.upload(syntheticLogFile(1_000, `node-loss-before-${n}`));
    await until(
      'ingestion is under way',
      async () => (await countDocuments(url, scenario.pattern)) >= 3_000,
      120_000,
    );

    // The victim is the elected cluster manager: an election on top of the lost shards, and the
    // worker's connections through the endpoint to that node reset.
    const [manager] = await getJson<Array<{ node: string }>>(`${url}/_cat/cluster_manager?format=json`);
    const victim = nodes.findIndex((node) => node.name === manager?.node);
    expect(victim).toBeGreaterThanOrEqual(0);
    const shards = await getJson<Array<{ prirep: string; node: string | null }>>(
      `${url}/_cat/shards/${scenario.pattern}?format=json&h=prirep,node`,
    );
    const victimName = nodes[victim]?.name;
    const primariesLost = shards.filter((shard) => shard.prirep === 'p' && shard.node === victimName).length;
    const killed = Date.now();
    await killNode(stack, victim);
    console.log(
      `faults: node-loss: SIGKILLed ${victimName}, the cluster manager, which held ${primariesLost} of the primaries, at ${await readThroughEndpoint(() => countDocuments(url, scenario.pattern))} documents`,
    );

    // Files keep arriving with the node gone, one of them for a month whose index does not exist yet.
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `node-loss-during-${n}`));
    await scenario.upload(syntheticLogFile(1_000, 'node-loss-new-month', { day: '2024-07-15' }));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (Date.now() - killed))));
    await restartNode(stack, victim);
    console.log(`faults: node-loss: ${victimName} back after ${Math.round((Date.now() - killed) / 1000)} s`);
    // And while its shards recover and the balancer moves shards back onto it.
    for (const n of [1, 2, 3]) await scenario.upload(syntheticLogFile(1_000, `node-loss-after-${n}`));

    await scenario.waitForIngestion(240_000);
    const verdict = await scenario.verify(0);
    const retried = worker.logs().filter((line) => String(line.msg).endsWith('will be retried'));
    const kinds = [...new Set(retried.map((line) => String(line.kind)))];
    const health = await getJson<{ status: string; number_of_nodes: number }>(
      `${url}/_cluster/health?wait_for_status=green&timeout=60s`,
    );
    console.log(
      `faults: node-loss: ${retried.length} retries logged (kinds: ${kinds.join(', ') || 'none'}); cluster ${health.status} with ${health.number_of_nodes} nodes`,
    );
    expect(verdict).toMatchObject(cleanOutcome(verdict));
    expect(worker.child.exitCode).toBeNull();
    expect(health.number_of_nodes).toBe(3);
  });
});
