import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countDocuments, deleteIndexes } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { syntheticLogFile } from '../../helpers/synthetic-log.ts';

const stack = stackEnv();
const indexPrefix = `t-full-${randomUUID().slice(0, 8)}`;
const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * Runs `backfill` with its checkpoint on a 64 KiB tmpfs that is already full, in a mount namespace of
 * its own (`unshare`; as root directly, otherwise as the namespace's mapped root), so nothing is
 * mounted on the machine and nothing is left behind.
 */
async function backfillOnFullFilesystem(
  logs: string,
  mountPoint: string,
): Promise<{ code: number | null; output: string }> {
  const node = resolve(repoRoot, 'node_modules/.bin/node');
  const cli = resolve(repoRoot, 'src/bin/cli.ts');
  const script = [
    `mount -t tmpfs -o size=64k tmpfs "${mountPoint}"`,
    // Fill it: dd stops with "No space left on device", which is the point.
    `dd if=/dev/zero of="${mountPoint}/filler" bs=4k 2>/dev/null || true`,
    `exec "${node}" "${cli}" backfill --local "${logs}" --checkpoint "${mountPoint}/ckpt" --concurrency 1`,
  ].join(' && ');
  const namespace = process.getuid?.() === 0 ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
  const child = spawn('unshare', [...namespace, 'sh', '-c', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stack, INDEX_PREFIX: indexPrefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('backfill never loses a file silently', () => {
  let work: string | undefined;
  afterAll(async () => {
    await deleteIndexes(stack.OPENSEARCH_URL, `${indexPrefix}-*`);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('stops with one sentence naming the checkpoint when it cannot be written (full filesystem), and exits non-zero', async () => {
    work = await mkdtemp(join(tmpdir(), 'backfill-full-'));
    const logs = join(work, 'logs');
    for (let n = 0; n < 5; n++) {
      const file = syntheticLogFile(20, `full-${n}`, { day: '2024-05-31' });
      const path = join(logs, file.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.body);
    }
    const mountPoint = join(work, 'full');
    await mkdir(mountPoint);

    const { code, output } = await backfillOnFullFilesystem(logs, mountPoint);
    console.log(`backfill with a full checkpoint filesystem: exit ${code}\n${output.slice(-1500)}`);
    expect(code).toBe(1);
    const sentence = output.split('\n').find((line) => line.startsWith('error: cannot write the checkpoint'));
    expect(sentence).toMatch(
      new RegExp(
        `^error: cannot write the checkpoint ${mountPoint}/ckpt \\(ENOSPC: .*\\): the backfill stopped`,
      ),
    );
    // Concurrency 1: the first file is indexed, its record fails, and no further file is taken.
    expect(output).toMatch(/backfill stopped: 1 files selected, 0 already done, 1 indexed/);
    expect(await countDocuments(stack.OPENSEARCH_URL, `${indexPrefix}-*`)).toBe(20);
  });
});
