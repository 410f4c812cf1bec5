import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dockerCli } from '../../scripts/images/docker.ts';

export const repoRoot: string = resolve(import.meta.dirname, '../..');

/** Runs the docker CLI to completion; throws with its output when it fails, unless `allowFailure`. */
export function docker(
  args: readonly string[],
  options: { allowFailure?: boolean; env?: Record<string, string>; cwd?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(dockerCli, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, DOCKER_BUILDKIT: '1', ...options.env },
  });
  const outcome = { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (outcome.status !== 0 && !options.allowFailure)
    throw new Error(
      `docker ${args.join(' ')} failed (exit ${outcome.status}):\n${`${outcome.stdout}${outcome.stderr}`.slice(-4000)}`,
    );
  return outcome;
}

export function inspect(container: string, format: string): string {
  return docker(['inspect', '--format', format, container]).stdout.trim();
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The figures ECS runs the task with, read from the Terraform that deploys it (infra/). */
export function ecsTaskSettings(): {
  memoryMiB: number;
  stopTimeoutSeconds: number;
  shutdownGraceSeconds: number;
} {
  const read = (file: string) => readFileSync(join(repoRoot, 'infra', file), 'utf8');
  const variableDefault = (name: string): number => {
    const match = new RegExp(`variable "${name}" \\{[^}]*?default\\s*=\\s*(\\d+)`, 's').exec(
      read('variables.tf'),
    );
    if (!match) throw new Error(`infra/variables.tf has no numeric default for ${name}`);
    return Number(match[1]);
  };
  const stop = /stop_timeout_seconds\s*=\s*(\d+)/.exec(read('main.tf'));
  if (!stop) throw new Error('infra/main.tf sets no stop_timeout_seconds');
  return {
    memoryMiB: variableDefault('task_memory'),
    stopTimeoutSeconds: Number(stop[1]),
    shutdownGraceSeconds: variableDefault('shutdown_grace_seconds'),
  };
}

/**
 * `docker run` arguments that make a container the ECS task: read-only root with a writable /tmp, the
 * image's non-root user, the task's memory with no swap beyond it.
 */
export function ecsTaskRunArgs(memoryMiB: number = ecsTaskSettings().memoryMiB): string[] {
  return [
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--user',
    '65532',
    '--memory',
    `${memoryMiB}m`,
    '--memory-swap',
    `${memoryMiB}m`,
  ];
}
