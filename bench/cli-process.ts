import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const NODE: string = join(ROOT, 'node_modules/.bin/node');

/**
 * Which build of the CLI a benchmark runs: `src` is `node src/bin/cli.ts` (type stripping, as in
 * development and in the tests), `dist` is the compiled JavaScript the container image runs (and
 * `npx cloudtrail-indexer`), `baseline` the same of an earlier commit (buildBaseline), for a
 * before/after comparison in one run.
 */
export type CliBuild = 'src' | 'dist' | 'baseline';

const DIST_DIR = join(ROOT, 'bench/workload/dist');
const BASELINE_DIR = join(ROOT, 'bench/workload/baseline');

/**
 * The Node flags the container image runs the CLI with, read from the Dockerfile's ENTRYPOINT
 * (`["/nodejs/bin/node", FLAGS..., "dist/bin/cli.js"]`), so the benchmark measures what ships.
 */
export const IMAGE_NODE_OPTIONS: string = (() => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (!entrypoint) throw new Error('Dockerfile: no ENTRYPOINT in exec form');
  const args = JSON.parse(entrypoint) as string[];
  return args.slice(1, args.indexOf('dist/bin/cli.js')).join(' ');
})();

export function cliEntry(build: CliBuild): string {
  if (build === 'baseline') return join(BASELINE_DIR, 'dist/bin/cli.js');
  return build === 'src' ? join(ROOT, 'src/bin/cli.ts') : join(DIST_DIR, 'bin/cli.js');
}

/**
 * Compiles `commit` (its src/, package.json and tsconfig files, from git) into
 * bench/workload/baseline/dist, with this checkout's node_modules: the `baseline` build. Returns the
 * commit's short id.
 */
export function buildBaseline(commit: string): string {
  rmSync(BASELINE_DIR, { recursive: true, force: true });
  mkdirSync(BASELINE_DIR, { recursive: true });
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const id = git(['rev-parse', '--short', commit]).stdout.trim();
  const archive = spawnSync(
    'sh',
    [
      '-c',
      `git archive ${id} src package.json tsconfig.json tsconfig.build.json | tar -x -C ${BASELINE_DIR}`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (!id || archive.status !== 0) throw new Error(`baseline ${commit}: ${archive.stderr}`);
  symlinkSync(join(ROOT, 'node_modules'), join(BASELINE_DIR, 'node_modules'));
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/tsc'),
    [
      '-p',
      join(BASELINE_DIR, 'tsconfig.build.json'),
      '--outDir',
      join(BASELINE_DIR, 'dist'),
      '--sourceMap',
      'false',
    ],
    { cwd: BASELINE_DIR, encoding: 'utf8' },
  );
  if (result.status !== 0 || !existsSync(cliEntry('baseline')))
    throw new Error(`building the baseline ${id} failed:
${result.stdout}${result.stderr}`);
  return id;
}

/**
 * Compiles src/ into bench/workload/dist (git-ignored), so `dist` runs always match the sources.
 * The CLI reads its version from `../../package.json`, hence a copy beside the build.
 */
export function buildDist(): void {
  compile(ROOT, DIST_DIR);
}

/**
 * Compiles the sources of a git revision (e.g. `main`, to measure before and after side by side) into
 * bench/workload/dist-REF; returns its CLI entry. The build resolves the checkout's node_modules, so the
 * two differ only in src/.
 */
export function buildRevision(revision: string): string {
  const safe = revision.replace(/[^\w.-]/g, '_');
  const sources = join(ROOT, `bench/workload/src-${safe}`);
  const out = join(ROOT, `bench/workload/dist-${safe}`);
  rmSync(sources, { recursive: true, force: true });
  mkdirSync(sources, { recursive: true });
  const archive = spawnSync(
    'git',
    ['archive', revision, 'src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (archive.status !== 0) throw new Error(`git archive ${revision} failed:\n${archive.stderr}`);
  const unpack = spawnSync('tar', ['-x', '-C', sources], { input: archive.stdout });
  if (unpack.status !== 0) throw new Error(`unpacking ${revision} failed:\n${unpack.stderr}`);
  compile(sources, out);
  return join(out, 'bin/cli.js');
}

/** tsc of `root`'s tsconfig.build.json into `outDir`, with the package.json the CLI reads beside it. */
function compile(root: string, outDir: string): void {
  copyFileSync(join(root, 'package.json'), join(outDir, '../package.json'));
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false'],
    { cwd: root, encoding: 'utf8' },
  );
  const entry = join(outDir, 'bin/cli.js');
  if (result.status !== 0 || !existsSync(entry))
    throw new Error(`building ${outDir} failed:\n${result.stdout}${result.stderr}`);
  // As npm's bin link would have it: users run the file itself (npx), through its shebang.
  chmodSync(entry, 0o755);
}

export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** JSON log lines so far (non-JSON lines skipped). */
  logs(): Array<Record<string, unknown>>;
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once the process has gone. */
  stop(killAfterMs: number): Promise<void>;
}

/**
 * A CLI command as its own process, as an operator or ECS would run it (like test/helpers'
 * startCli, plus the choice of build). Log lines are parsed incrementally: a long run writes thousands.
 */
export function startCliProcess(
  build: CliBuild,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): CliProcess {
  return startProcess(NODE, [cliEntry(build), ...args], env);
}

/** Any command (the CLI file itself, `docker run ...`) with its output parsed as startCliProcess does. */
export function startProcess(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): CliProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let pending = '';
  const lines: Array<Record<string, unknown>> = [];
  const take = (chunk: Buffer): void => {
    const piece = chunk.toString();
    text += piece;
    pending += piece;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    logs: () => lines,
    async waitForLog(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (lines.some(predicate)) return;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no matching log line within ${timeoutMs} ms; output:\n${text.slice(-3000)}`);
    },
    async stop(killAfterMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface TimedRun {
  readonly status: number | null;
  readonly stdout: string;
  /** The command's stderr followed by GNU time's report. */
  readonly stderr: string;
  /** From spawn to exit, measured by this process: what an operator waits. */
  readonly wallSeconds: number;
  /** A numeric field of GNU time's report, e.g. `timeField('Maximum resident set size \\(kbytes\\)')`. */
  timeField(name: string): number;
}

/**
 * `/usr/bin/time -v NODE ...args` in `cwd` (or `command ...args`, e.g. the CLI file itself as npx runs
 * it): the kernel's peak RSS and CPU time beside the output.
 */
export async function runUnderGnuTime(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  command: string = NODE,
): Promise<TimedRun> {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', command, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    status,
    stdout,
    stderr,
    wallSeconds,
    timeField: (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(stderr)?.[1]),
  };
}
