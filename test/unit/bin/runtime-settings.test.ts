import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BACKFILL_HEAP_GROWING_PERCENT,
  isBackfill,
  MALLOC_ENV,
  missingSettings,
  NODE_FLAGS,
  nodeFlagsFor,
} from '../../../src/bin/runtime-settings.ts';

const root = resolve(import.meta.dirname, '../../..');

describe('missingSettings', () => {
  it('asks for every flag and variable in a bare process', () => {
    expect(missingSettings([], {})).toEqual({ flags: NODE_FLAGS, env: MALLOC_ENV });
  });

  it('counts a flag as given whatever its value, on the command line or in NODE_OPTIONS', () => {
    expect(missingSettings(['--max-semi-space-size=0'], {}).flags).toEqual([]);
    expect(missingSettings([], { NODE_OPTIONS: '--inspect --max-semi-space-size=16' }).flags).toEqual([]);
    expect(missingSettings(['--max-old-space-size=512'], {}).flags).toEqual(NODE_FLAGS);
  });

  it("keeps an operator's own malloc settings, and all of them under GLIBC_TUNABLES", () => {
    expect(missingSettings([], { MALLOC_ARENA_MAX: '8' }).env).toEqual({
      MALLOC_MMAP_THRESHOLD_: MALLOC_ENV.MALLOC_MMAP_THRESHOLD_,
    });
    expect(missingSettings([], { GLIBC_TUNABLES: '' }).env).toEqual({});
  });
});

describe('nodeFlagsFor', () => {
  it('bounds heap growth for a backfill, of a bucket or of a folder, and only there', () => {
    expect(isBackfill(['backfill', '--s3', 's3://b', '--dry-run'])).toBe(true);
    expect(isBackfill(['backfill', '--local', 'logs'])).toBe(true);
    expect(isBackfill(['worker'])).toBe(false);
    expect(isBackfill(['transform', 'backfill'])).toBe(false);
    expect(isBackfill([])).toBe(false);
    for (const args of [
      ['backfill', '--s3', 's3://b'],
      ['backfill', '--local', 'logs'],
    ])
      expect(nodeFlagsFor(args)).toEqual([
        ...NODE_FLAGS,
        `--heap-growing-percent=${BACKFILL_HEAP_GROWING_PERCENT}`,
      ]);
    expect(nodeFlagsFor(['worker'])).toEqual(NODE_FLAGS);
  });

  it("keeps an operator's growing factor, written with dashes or underscores", () => {
    const flags = nodeFlagsFor(['backfill', '--s3', 's3://b']);
    expect(
      missingSettings(['--heap_growing_percent=50', '--max-semi-space-size=4'], {}, flags).flags,
    ).toEqual([]);
    expect(missingSettings(['--max-semi-space-size=4'], {}, flags).flags).toEqual([
      `--heap-growing-percent=${BACKFILL_HEAP_GROWING_PERCENT}`,
    ]);
  });
});

describe('the image', () => {
  it('starts the CLI with the same settings, so it runs without replacing itself', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((match) => [match[1], match[2]]),
    );
    expect(missingSettings(entrypoint.slice(1), env)).toEqual({ flags: [], env: {} });
  });
});

describe('the CLI', () => {
  // Two Node start-ups (type stripping, then the replacement): slow on a loaded machine.
  it('runs every command with the settings, however it is started', { timeout: 60_000 }, () => {
    const script =
      'process.stdout.write(JSON.stringify({ argv: process.execArgv, arena: process.env.MALLOC_ARENA_MAX }))';
    // The entry replaces itself (same pid) before it loads any command; `--version` then prints.
    const run = spawnSync(process.execPath, [join(root, 'src/bin/cli.ts'), '--version'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(`process.on('exit', () => { ${script} })`)}`,
      },
    });
    expect(run.status).toBe(0);
    const seen = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { argv: string[]; arena: string };
    expect(seen.argv).toEqual(expect.arrayContaining([...NODE_FLAGS]));
    expect(seen.arena).toBe(MALLOC_ENV.MALLOC_ARENA_MAX);
  });

  it('leaves the stdio pipes it shares with its parent blocking, as it found them', {
    timeout: 60_000,
  }, () => {
    // The shell's next command writes to the same pipe; /proc shows that open file's flags (octal).
    const run = spawnSync(
      '/bin/sh',
      [
        '-c',
        '"$0" "$1" --version && cat /proc/self/fdinfo/1 >&2',
        process.execPath,
        join(root, 'src/bin/cli.ts'),
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(run.status).toBe(0);
    const flags = Number.parseInt(/^flags:\s+(\d+)/m.exec(run.stderr)?.[1] ?? 'NaN', 8);
    expect(flags & 0o4000).toBe(0); // O_NONBLOCK
  });
});
