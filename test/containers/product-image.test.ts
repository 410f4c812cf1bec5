import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorkload, WORKLOADS } from '../../bench/generate-workload.ts';
import { build } from '../../scripts/images/docker.ts';
import { freePort } from '../../scripts/stack/processes.ts';
import { cloudTrailFile } from '../helpers/cloudtrail-files.ts';
import { countDocuments } from '../helpers/opensearch.ts';
import { createQueueFixture, type QueueFixture } from '../helpers/queue-fixture.ts';
import { stackEnv } from '../helpers/stack.ts';
import { docker, ecsTaskRunArgs, ecsTaskSettings, inspect, repoRoot, waitFor } from './docker.ts';

const IMAGE = 'cloudtrail-indexer:container-test';
const ecs = ecsTaskSettings();

/** cgroup v1 (these machines) keeps the high-water mark; v2 only since kernel 5.19, as memory.peak. */
function peakMemoryBytes(containerId: string): number {
  for (const path of [
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.peak`,
    `/sys/fs/cgroup/docker/${containerId}/memory.peak`,
  ]) {
    try {
      return Number(readFileSync(path, 'utf8').trim());
    } catch {}
  }
  throw new Error(`No cgroup memory high-water mark found for container ${containerId}.`);
}

describe('the product image, run as ECS runs it', () => {
  let fixture: QueueFixture;
  let container: string;
  let healthPort: number;

  beforeAll(async () => {
    const started = Date.now();
    build({
      tag: IMAGE,
      context: repoRoot,
      args: {},
      labels: {},
      logFile: join(tmpdir(), `cloudtrail-indexer-image-build-${process.pid}.log`),
    });
    console.log(`containers: built ${IMAGE} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    fixture = await createQueueFixture(stackEnv(), 'image');
    healthPort = await freePort();
    const env = fixture.workerEnv({
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_SECONDS: String(ecs.shutdownGraceSeconds),
    });
    // Host networking reaches the stack's published ports on 127.0.0.1; everything else is the task's:
    // read-only root, writable /tmp, the image's non-root user, the task memory with no swap beyond it.
    container = docker([
      'run',
      '--detach',
      '--network',
      'host',
      ...ecsTaskRunArgs(ecs.memoryMiB),
      '--stop-timeout',
      String(ecs.stopTimeoutSeconds),
      ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
      IMAGE,
      'worker',
    ]).stdout.trim();
  });

  afterAll(async () => {
    if (container) docker(['rm', '--force', container], { allowFailure: true });
    await fixture?.cleanup();
  });

  it('reaches healthy by its own HEALTHCHECK', async () => {
    const status = await waitFor(
      'the HEALTHCHECK to report healthy',
      () => {
        const health = inspect(container, '{{.State.Health.Status}}');
        if (health === 'unhealthy') throw new Error(`unhealthy:\n${docker(['logs', container]).stderr}`);
        return health === 'healthy' ? health : undefined;
      },
      180_000,
    );
    expect(status).toBe('healthy');
    expect(inspect(container, '{{.Config.User}}')).toBe('65532');
  });

  it('runs `transform` on a mounted file, with the same flags', () => {
    const demo = join(repoRoot, 'demo', 'logs');
    const name = readdirSync(demo).find((file) => file.endsWith('.json.gz')) as string;
    const events = (
      JSON.parse(gunzipSync(readFileSync(join(demo, name))).toString()) as { Records: unknown[] }
    ).Records.length;
    const out = docker([
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--user',
      '65532',
      '--network',
      'none',
      '--volume',
      `${demo}:/data:ro`,
      IMAGE,
      'transform',
      `/data/${name}`,
    ]).stdout;
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(events * 2);
    // An action line (its bulk operation is the sink's business), then the document.
    const action = Object.values(JSON.parse(lines[0] as string) as Record<string, object>)[0];
    expect(action).toHaveProperty('_index');
    expect(action).toHaveProperty('_id');
  });

  it('indexes the benchmark’s 200 MB log file within the task memory, without an OOM kill', async () => {
    const workload = await ensureWorkload(WORKLOADS['big-file'], (line) =>
      console.log(`containers: ${line}`),
    );
    const file = workload.files[0];
    if (!file) throw new Error('the big-file workload has no file');
    await fixture.upload(cloudTrailFile(join(workload.dir, file.key)));
    const count = await waitFor(
      `${workload.events} documents from the 200 MB file`,
      async () => {
        if (inspect(container, '{{.State.Running}}') !== 'true')
          throw new Error(`the worker exited (OOMKilled=${inspect(container, '{{.State.OOMKilled}}')})`);
        const n = await countDocuments(stackEnv().OPENSEARCH_URL, `${fixture.indexPrefix}-*`);
        return n >= workload.events ? n : undefined;
      },
      900_000,
      5_000,
    );
    expect(count).toBe(workload.events);
    expect(inspect(container, '{{.State.OOMKilled}}')).toBe('false');
    const peak = peakMemoryBytes(container);
    console.log(
      `containers: peak memory of the worker container on the ${(file.rawBytes / 2 ** 20).toFixed(0)} MB file (${workload.events} events): ${(peak / 2 ** 20).toFixed(0)} MiB of ${ecs.memoryMiB} MiB (cgroup high-water mark)`,
    );
    expect(peak).toBeLessThan(ecs.memoryMiB * 2 ** 20);
  });

  it('drains on `docker stop` and exits 0 within the task’s stop timeout', () => {
    const started = Date.now();
    docker(['stop', '--time', String(ecs.stopTimeoutSeconds), container]);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(ecs.stopTimeoutSeconds);
    expect(inspect(container, '{{.State.ExitCode}}')).toBe('0');
    const logs = docker(['logs', container]);
    expect(`${logs.stdout}${logs.stderr}`).toContain('drained');
  });
});
