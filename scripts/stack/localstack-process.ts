import { spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from './opensearch-process.ts';
import { cacheDir } from './paths.ts';
import { run, StackError, spawnService, waitUntil } from './processes.ts';

/** The last LocalStack release that starts without an auth token. */
export const LOCALSTACK_VERSION = '4.14.0';
/**
 * Resolve LocalStack's dependencies as they were when it was released: later releases of
 * cbor2 and pyOpenSSL removed APIs 4.14.0 calls, and it would fail at start-up.
 */
export const RESOLVE_AS_OF = '2026-03-01T00:00:00Z';
export const PIP_VERSION = '26.3';

/**
 * LocalStack 4.14 uses Python 3.13 features (PEP 695 generics, warnings.deprecated) although its
 * metadata admits older versions; Debian 12's python3 is 3.11. Look for a 3.13+ interpreter:
 * LOCALSTACK_PYTHON, then python3.13+ on PATH, then pyenv's versions.
 */
function findPython(): string {
  const candidates = [
    process.env.LOCALSTACK_PYTHON,
    'python3.13',
    'python3.14',
    'python3',
    ...globSync(
      join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions', '3.*', 'bin', 'python3'),
    )
      .sort()
      .reverse(),
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version_info >= (3, 13))'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  throw new StackError(
    `LocalStack ${LOCALSTACK_VERSION} needs Python 3.13 or newer with venv, and none was found; install one (e.g. pyenv install 3.13) or set LOCALSTACK_PYTHON to its path.`,
  );
}

function ensureVirtualenv(): string {
  const venv = join(cacheDir, `localstack-${LOCALSTACK_VERSION}`);
  const python = join(venv, 'bin', 'python');
  const stamp = join(venv, '.installed');
  if (existsSync(stamp)) return python;
  const systemPython = findPython();
  mkdirSync(cacheDir, { recursive: true });
  run('rm', ['-rf', venv]);
  run(systemPython, ['-m', 'venv', venv]);
  if (!existsSync(python))
    throw new StackError(`${systemPython} -m venv made no virtualenv; install its venv module.`);
  // pip learned --uploaded-prior-to in 26.x; the machine's pip may be older.
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `pip==${PIP_VERSION}`]);
  run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--uploaded-prior-to',
    RESOLVE_AS_OF,
    `localstack-core[runtime]==${LOCALSTACK_VERSION}`,
  ]);
  writeFileSync(stamp, '');
  return python;
}

export async function startLocalStack(options: { port: number; dataDir: string }): Promise<RunningService> {
  const python = ensureVirtualenv();
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = join(options.dataDir, 'localstack.out');
  const listen = `127.0.0.1:${options.port}`;
  const env = {
    ...process.env,
    SERVICES: 's3,sqs,ssm',
    // Path-style queue URLs (http://host:port/queue/region/account/name) need no DNS.
    SQS_ENDPOINT_STRATEGY: 'path',
    GATEWAY_LISTEN: listen,
    LOCALSTACK_HOST: listen,
    FILESYSTEM_ROOT: options.dataDir,
    // Nothing outside this machine is reachable: no DNS server, no certificate download, no analytics.
    DNS_ADDRESS: '0',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    DISABLE_EVENTS: '1',
  };
  const pid = spawnService(python, ['-m', 'localstack.runtime.main'], { env, logFile, cwd: options.dataDir });
  const url = `http://${listen}`;
  let version = LOCALSTACK_VERSION;
  await waitUntil(
    `LocalStack ${LOCALSTACK_VERSION} on ${url}`,
    async () => {
      const health = (await (await fetch(`${url}/_localstack/health`)).json()) as {
        version: string;
        services: Record<string, string>;
      };
      version = health.version;
      return ['s3', 'sqs', 'ssm'].every((s) => ['available', 'running'].includes(health.services[s] ?? ''));
    },
    { timeoutMs: 120_000, pid, logFile },
  );
  return { url, pid, version, logFile };
}
