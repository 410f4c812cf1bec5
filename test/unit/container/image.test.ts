import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What the image promises, checked where it is decided: in the Dockerfile, in the runtime settings of
 * docker-compose and ECS, and in what src/ imports at run time. The image itself is built and run by the
 * containers project (test/containers/), which needs a Docker engine.
 */
const root = resolve(import.meta.dirname, '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: ReadonlyArray<{ readonly keyword: string; readonly args: string }>;
}

/** Dockerfile instructions by stage, continuation lines joined, comments dropped. */
function stages(dockerfile: string): Stage[] {
  const lines = dockerfile
    .replaceAll(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Array<{
    from: string;
    name: string | undefined;
    instructions: Stage['instructions'][number][];
  }> = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = rest;
      result.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      result.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return result;
}

describe('the container image', () => {
  const all = stages(read('Dockerfile'));
  const runtime = all.at(-1) as Stage;
  const instructions = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

  it('runs from a distroless Node 24 image as a non-root user', () => {
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs24-[a-z0-9]+:nonroot$/);
    const user = instructions('USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^\d+:\d+$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('needs no shell at run time: nothing is RUN in the final stage, every command is in exec form', () => {
    expect(instructions('RUN')).toEqual([]);
    for (const keyword of ['ENTRYPOINT', 'CMD']) {
      for (const { args } of instructions(keyword)) expect(JSON.parse(args)).toBeInstanceOf(Array);
    }
    const healthcheck = instructions('HEALTHCHECK').at(-1)?.args ?? '';
    expect(healthcheck).toMatch(/CMD \[/);
    expect(JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4))[0]).toBe('/nodejs/bin/node');
  });

  it('ships production dependencies only, and the compiled code without its sources', () => {
    const copies = instructions('COPY').map((i) => i.args);
    const deps = all.find((stage) => stage.name === 'prod-deps');
    expect(deps?.instructions.some((i) => i.keyword === 'RUN' && /npm ci .*--omit=dev/.test(i.args))).toBe(
      true,
    );
    expect(copies).toContain('--from=prod-deps /app/node_modules ./node_modules');
    expect(copies.some((copy) => /^--from=build \/app\/dist /.test(copy))).toBe(true);
    expect(copies.filter((copy) => copy.includes('node_modules'))).toEqual([
      '--from=prod-deps /app/node_modules ./node_modules',
    ]);
    expect(copies.filter((copy) => /\bsrc\b/.test(copy))).toEqual([]);
  });

  it('runs with a read-only root filesystem and a writable /tmp, in docker-compose and on ECS', () => {
    const compose = read('docker-compose.yml');
    const worker = compose.slice(compose.indexOf('\n  worker:'));
    expect(worker).toMatch(/\n {4}read_only: true\n/);
    expect(worker).toMatch(/\n {4}tmpfs:\n {6}- \/tmp\n/);
    const ecs = read('infra/ecs.tf');
    expect(ecs).toMatch(/readonlyRootFilesystem\s*=\s*true/);
    expect(ecs).toMatch(/containerPath\s*=\s*"\/tmp"/);
    expect(read('Dockerfile')).toMatch(/TMPDIR=\/tmp/);
  });

  it('imports at run time only production dependencies (a devDependency would crash the image)', () => {
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const sources = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? sources(join(dir, entry.name))
          : entry.name.endsWith('.ts')
            ? [join(dir, entry.name)]
            : [],
      );
    const imported = new Set<string>();
    for (const file of sources('src')) {
      // `import type` is erased at build time; only value imports reach the image.
      for (const match of read(file).matchAll(/^import (?!type )[^'"]*?from '([^'.][^']*)'/gm)) {
        const specifier = match[1] as string;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        imported.add(name as string);
      }
    }
    const missing = [...imported].filter(
      (name) => !name.startsWith('node:') && !builtinModules.includes(name) && !(name in dependencies),
    );
    expect(imported.size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});
