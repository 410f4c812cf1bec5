import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkLogFiles } from '../../../../src/sources/local/walk-log-files.ts';

async function all(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const file of walkLogFiles(path)) out.push(file);
  return out;
}

describe('walkLogFiles', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'walk-log-files-'));
    await mkdir(join(root, 'b/nested'), { recursive: true });
    await mkdir(join(root, 'a'));
    for (const file of [
      'b/2.json.gz',
      'b/10.json',
      'b/nested/x.json',
      'a/z.json',
      'top.json',
      'notes.md',
      'b/x.jsonl',
      'b/y.gz',
    ]) {
      await writeFile(join(root, file), '{}');
    }
    await symlink(root, join(root, 'b/nested/loop'));
    await symlink(join(root, 'top.json'), join(root, 'a/link.json'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists .json and .json.gz files recursively, in a stable sorted order, each folder once', async () => {
    expect((await all(root)).map((file) => file.slice(root.length + 1))).toEqual([
      'a/link.json',
      'a/z.json',
      'b/10.json',
      'b/2.json.gz',
      'b/nested/x.json',
      'top.json',
    ]);
  });

  it('yields a named file itself, whatever its extension', async () => {
    expect(await all(join(root, 'notes.md'))).toEqual([join(root, 'notes.md')]);
  });

  it('rejects a missing path with the file system error', async () => {
    await expect(all(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
