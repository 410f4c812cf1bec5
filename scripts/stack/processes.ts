import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown for anything the developer must fix on the machine; the message is the whole story. */
export class StackError extends Error {
  override name = 'StackError';
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function requireCommand(command: string, why: string, install: string): void {
  if (!commandExists(command)) throw new StackError(`${command} is needed ${why}; install it (${install}).`);
}

/** Runs a command to completion, failing with its output when it fails. */
export function run(command: string, args: readonly string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new StackError(`\`${command} ${args.join(' ')}\` failed (exit ${result.status}):\n${output}`);
  }
  return result.stdout;
}

/**
 * Starts a long-running service in its own process group so that it outlives `stack:up` and
 * `stack:down` can stop it together with any children it forks.
 */
export function spawnService(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; logFile: string },
): number {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (child.pid === undefined) throw new StackError(`Could not start ${command}; see ${options.logFile}.`);
  child.unref();
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, then SIGKILL if it has not gone within the grace period. */
export async function stopProcessGroup(pid: number, graceMs = 20_000): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signal('SIGKILL');
}

export async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(bound));
      });
    });
  if (preferred !== undefined) {
    const port = await tryListen(preferred);
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new StackError('No free TCP port on 127.0.0.1.');
  return port;
}

/** Polls until `probe` resolves true, the process dies, or the timeout passes. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; pid?: number; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const seeLog = options.logFile ? `; see ${options.logFile}` : '';
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (options.pid !== undefined && !isAlive(options.pid))
      throw new StackError(`${what} exited during start-up${seeLog}.`);
    await sleep(500);
  }
  throw new StackError(`${what} was not ready after ${options.timeoutMs / 1000} s${seeLog}.`);
}
