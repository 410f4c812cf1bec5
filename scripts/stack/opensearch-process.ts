import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cacheDir, runDir } from './paths.ts';
import { commandExists, requireCommand, run, StackError, spawnService, waitUntil } from './processes.ts';

export const OPENSEARCH_VERSION = '2.19.5';
/** OpenSearch refuses to run as root; when we are root it runs as this system user. */
const SERVICE_USER = 'cti-search';

export interface RunningService {
  url: string;
  pid: number;
  version: string;
  logFile: string;
}

/**
 * The minimal distribution OpenSearch publishes to Maven Central for integration tests: no JDK,
 * no security plugin (plain HTTP), only the transport module. Fetched once with Maven.
 */
export function ensureZip(): string {
  const zip = join(cacheDir, `opensearch-${OPENSEARCH_VERSION}.zip`);
  if (existsSync(zip)) return zip;
  requireCommand('mvn', 'to fetch OpenSearch from Maven Central', 'apt-get install maven');
  // Into a folder of its own, then renamed: the image builder (npm run images) and a test stack may
  // fetch it at the same time, and neither must see the other's half-written file.
  mkdirSync(cacheDir, { recursive: true });
  const partial = mkdtempSync(join(cacheDir, 'opensearch-zip-'));
  run('mvn', [
    '-q',
    'dependency:copy',
    `-Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`,
    `-DoutputDirectory=${partial}`,
  ]);
  renameSync(join(partial, basename(zip)), zip);
  rmSync(partial, { recursive: true, force: true });
  return zip;
}

function ensureUnpacked(): string {
  const home = join(runDir, `opensearch-${OPENSEARCH_VERSION}`);
  const stamp = join(home, '.unpacked');
  if (existsSync(stamp)) return home;
  const zip = ensureZip();
  requireCommand('unzip', 'to unpack OpenSearch', 'apt-get install unzip');
  mkdirSync(runDir, { recursive: true });
  run('rm', ['-rf', home]);
  run('unzip', ['-q', '-o', zip, '-d', runDir]);
  writeFileSync(stamp, '');
  return home;
}

/** Java 17+ from OPENSEARCH_JAVA_HOME, JAVA_HOME or the `java` on PATH. */
function javaHome(): string {
  const candidate =
    process.env.OPENSEARCH_JAVA_HOME ??
    process.env.JAVA_HOME ??
    (commandExists('java')
      ? dirname(
          dirname(
            realpathSync(spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim()),
          ),
        )
      : undefined);
  const java = candidate ? join(candidate, 'bin', 'java') : undefined;
  if (!java || !existsSync(java)) {
    throw new StackError(
      'Java 17 or newer is needed to run OpenSearch locally; install it (apt-get install openjdk-17-jre-headless) or set JAVA_HOME.',
    );
  }
  const version = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr;
  const major = Number(/version "(\d+)/.exec(version)?.[1] ?? 0);
  if (major < 17)
    throw new StackError(
      `OpenSearch ${OPENSEARCH_VERSION} needs Java 17 or newer; ${java} is Java ${major}.`,
    );
  return candidate as string;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function ensureServiceUser(paths: readonly string[]): void {
  if (spawnSync('id', [SERVICE_USER], { stdio: 'ignore' }).status !== 0) {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER]);
  }
  run('chown', ['-R', `${SERVICE_USER}:`, ...paths]);
}

export interface OpenSearchProcessOptions {
  readonly port: number;
  readonly dataDir: string;
  /**
   * Node settings (`-E`) on top of the single-node defaults, e.g. path.repo, or a cluster's
   * cluster.name, node.name, transport.port and discovery.seed_hosts (with discovery.seed_hosts the
   * node is not started as a single-node cluster).
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** Folders the node writes besides its data folder (a snapshot repository shared by two clusters). */
  readonly sharedDirs?: readonly string[];
  /** OPENSEARCH_JAVA_OPTS for this node; default the environment's, else a 512 MB heap. */
  readonly javaOpts?: string;
}

export async function startOpenSearch(options: OpenSearchProcessOptions): Promise<RunningService> {
  const home = ensureUnpacked();
  const javaDir = javaHome();
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  for (const dir of options.sharedDirs ?? []) mkdirSync(dir, { recursive: true });
  const logFile = join(options.dataDir, 'opensearch.out');
  const clustered = options.settings?.['discovery.seed_hosts'] !== undefined;
  const settings: Record<string, string> = {
    ...(clustered ? {} : { 'discovery.type': 'single-node' }),
    'network.host': '127.0.0.1',
    'http.port': String(options.port),
    'transport.port': '0',
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
    'path.data': join(options.dataDir, 'data'),
    'path.logs': logDir,
    ...options.settings,
  };
  const args = Object.entries(settings).map(([name, value]) => `-E${name}=${value}`);
  const env = {
    ...process.env,
    OPENSEARCH_JAVA_HOME: javaDir,
    OPENSEARCH_JAVA_OPTS: options.javaOpts ?? process.env.OPENSEARCH_JAVA_OPTS ?? '-Xms512m -Xmx512m',
  };
  const binary = join(home, 'bin', 'opensearch');
  let pid: number;
  if (isRoot()) {
    ensureServiceUser([home, options.dataDir, ...(options.sharedDirs ?? [])]);
    pid = spawnService('runuser', ['-u', SERVICE_USER, '--', binary, ...args], { env, logFile });
  } else {
    pid = spawnService(binary, args, { env, logFile });
  }
  const url = `http://127.0.0.1:${options.port}`;
  await waitUntil(
    `OpenSearch ${OPENSEARCH_VERSION} on ${url}`,
    async () => (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`)).ok,
    { timeoutMs: 180_000, pid, logFile },
  );
  const version = ((await (await fetch(url)).json()) as { version: { number: string } }).version.number;
  return { url, pid, version, logFile };
}
