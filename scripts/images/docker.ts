import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { StackError } from '../stack/processes.ts';

/**
 * Debian's client (20.10) first: with DOCKER_BUILDKIT=1 it drives the daemon's built-in BuildKit, which
 * the Dockerfiles' cache, bind and secret mounts need. A newer client without the buildx plugin (such as
 * the 28.x first on PATH here) silently falls back to the legacy builder, which refuses `RUN --mount`.
 */
export const dockerCli: string =
  process.env.DOCKER_CLI ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

/**
 * The host's CA bundle, handed to builds as the secret `ca-certificates` (never copied into an image):
 * npm and pip inside a build stage fail with SELF_SIGNED_CERT_IN_CHAIN behind a TLS-inspecting proxy.
 */
export const hostCaBundle: string | undefined = [
  process.env.BUILD_CA_BUNDLE,
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/ssl/cert.pem',
].find((path): path is string => Boolean(path) && existsSync(path as string));

const env = { ...process.env, DOCKER_BUILDKIT: '1' };

function docker(args: readonly string[]) {
  return spawnSync(dockerCli, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function requireEngine(): void {
  const info = docker(['info', '--format', '{{.ServerVersion}}']);
  if (info.status !== 0)
    throw new StackError(
      `No Docker engine answers ${dockerCli} info; start one (scripts/images/engine.sh installs and starts Debian's docker.io as root).`,
    );
}

/** The image's id and labels, or undefined when the engine holds no image of that name. */
export function inspectImage(name: string): { id: string; labels: Record<string, string> } | undefined {
  const result = docker(['image', 'inspect', '--format', '{{json .Id}} {{json .Config.Labels}}', name]);
  if (result.status !== 0) return undefined;
  const [id, labels] = result.stdout.trim().split(' ');
  return { id: JSON.parse(id as string), labels: JSON.parse(labels as string) ?? {} };
}

export function imageSizeBytes(name: string): number {
  return Number(docker(['image', 'inspect', '--format', '{{.Size}}', name]).stdout.trim());
}

/** Tries the registry; false (with the reason on stderr) when none is reachable or it lacks the image. */
export function tryPull(name: string): boolean {
  const result = docker(['pull', '--quiet', name]);
  if (result.status === 0) return true;
  const reason = `${result.stderr}`.trim().split('\n').at(-1) ?? '';
  console.error(`images: cannot pull ${name}: ${reason}`);
  return false;
}

/** Builds with BuildKit; its plain progress goes to logFile, and the end of it into the error on failure. */
export function build(options: {
  tag: string;
  context: string;
  args: Record<string, string>;
  labels: Record<string, string>;
  logFile: string;
}): void {
  const args = ['build', '--progress=plain', '--tag', options.tag];
  for (const [key, value] of Object.entries(options.args)) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.labels)) args.push('--label', `${key}=${value}`);
  if (hostCaBundle) args.push('--secret', `id=ca-certificates,src=${hostCaBundle}`);
  args.push(options.context);
  const log = openSync(options.logFile, 'w');
  const result = spawnSync(dockerCli, args, { env, stdio: ['ignore', log, log] });
  closeSync(log);
  if (result.status !== 0) {
    const output = readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-25).join('\n');
    throw new StackError(
      `Building the stand-in ${options.tag} failed (exit ${result.status}; whole log: ${options.logFile}):\n${output}`,
    );
  }
}
