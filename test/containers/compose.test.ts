import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailFile, distinctIds } from '../helpers/cloudtrail-files.ts';
import { countDocuments, documentIds } from '../helpers/opensearch.ts';
import { docker, inspect, repoRoot, waitFor } from './docker.ts';

/** Compose v2 as a CLI plugin: DOCKER_CONFIG if it has one, else where scripts/images/docker-plugins.sh builds it. */
function dockerConfig(): string {
  const candidates = [
    process.env.DOCKER_CONFIG,
    join(
      resolve(process.env.CTI_CACHE_DIR ?? join(homedir(), '.cache', 'cloudtrail-indexer')),
      'docker-config',
    ),
    join(homedir(), '.docker'),
  ];
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'cli-plugins', 'docker-compose')));
  if (!found)
    throw new Error(
      'No Docker Compose v2 plugin found (DOCKER_CONFIG, the cache, ~/.docker); build it with scripts/images/docker-plugins.sh.',
    );
  return found;
}

const project = `cti-e2e-${process.pid}`;
const demoFiles = readdirSync(join(repoRoot, 'demo', 'logs'))
  .filter((name) => name.endsWith('.json.gz'))
  .map((name) => cloudTrailFile(join(repoRoot, 'demo', 'logs', name)));
const demoEventIds = distinctIds(demoFiles);

describe('docker compose, end to end', () => {
  let env: Record<string, string>;
  const compose = (args: readonly string[], options: { allowFailure?: boolean } = {}) =>
    docker(['compose', '--project-name', project, ...args], { env, ...options });
  const container = (service: string) => `${project}-${service}-1`;
  let openSearchUrl: string;
  const indexedLines = () =>
    (docker(['logs', container('worker')]).stdout.match(/log file indexed/g) ?? []).length;

  beforeAll(() => {
    env = { DOCKER_CONFIG: dockerConfig() };
    expect(compose(['version']).stdout).toMatch(/v2\./);
  });

  afterAll(() => {
    if (env) compose(['down', '--volumes', '--remove-orphans'], { allowFailure: true });
  });

  it('`up --build` starts the chain: LocalStack init, setup, a healthy worker, the loader', async () => {
    const started = Date.now();
    compose(['up', '--build', '--detach']);
    console.log(
      `containers: compose up --build -d returned in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    openSearchUrl = `http://${compose(['port', 'opensearch', '9200']).stdout.trim()}`;

    expect(
      docker(['exec', container('localstack'), 'test', '-f', '/tmp/cloudtrail-indexer-init-done']).status,
    ).toBe(0);
    const queues = docker(['exec', container('localstack'), 'awslocal', 'sqs', 'list-queues']).stdout;
    expect(queues).toContain('cloudtrail-indexer-notifications');
    expect(queues).toContain('cloudtrail-indexer-dlq');
    const notification = docker([
      'exec',
      container('localstack'),
      'awslocal',
      's3api',
      'get-bucket-notification-configuration',
      '--bucket',
      'cloudtrail-indexer-demo',
    ]).stdout;
    expect(notification).toContain('AWSLogs/');

    expect(inspect(container('setup'), '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
    const templates = (await (await fetch(`${openSearchUrl}/_index_template`)).json()) as {
      index_templates: Array<{ name: string }>;
    };
    expect(templates.index_templates.map((t) => t.name).join(' ')).toMatch(/cloudtrail/);

    await waitFor(
      'the worker to be healthy',
      () => (inspect(container('worker'), '{{.State.Health.Status}}') === 'healthy' ? true : undefined),
      180_000,
    );
    await waitFor(
      'the demo loader to finish',
      () => {
        const state = inspect(container('demo-loader'), '{{.State.Status}} {{.State.ExitCode}}');
        return state.startsWith('exited') ? state : undefined;
      },
      180_000,
    ).then((state) => expect(state).toBe('exited 0'));
  });

  it('indexes every demo event exactly once', async () => {
    await waitFor(
      'the worker to index every demo file',
      () => (indexedLines() >= demoFiles.length ? true : undefined),
      300_000,
    );
    const ids = await waitFor(
      `${demoEventIds.size} documents`,
      async () =>
        (await countDocuments(openSearchUrl, 'cloudtrail-*')) >= demoEventIds.size
          ? documentIds(openSearchUrl, 'cloudtrail-*')
          : undefined,
      120_000,
    );
    expect(ids.length).toBe(demoEventIds.size);
    expect(new Set(ids)).toEqual(demoEventIds);
  });

  it('a second loader run changes nothing', async () => {
    const before = await documentIds(openSearchUrl, 'cloudtrail-*');
    compose(['run', '--rm', 'demo-loader']);
    await waitFor(
      'the worker to index the files again',
      () => (indexedLines() >= 2 * demoFiles.length ? true : undefined),
      300_000,
    );
    const after = await documentIds(openSearchUrl, 'cloudtrail-*');
    expect(after.length).toBe(before.length);
    expect(new Set(after)).toEqual(new Set(before));
  });

  it('`down -v` leaves no container and no volume', () => {
    compose(['down', '--volumes']);
    const label = `label=com.docker.compose.project=${project}`;
    expect(docker(['ps', '--all', '--quiet', '--filter', label]).stdout.trim()).toBe('');
    expect(docker(['volume', 'ls', '--quiet', '--filter', label]).stdout.trim()).toBe('');
  });
});
