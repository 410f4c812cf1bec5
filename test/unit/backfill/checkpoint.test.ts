import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../src/backfill/checkpoint.ts';

const HEADER = '{"checkpoint":"cloudtrail-indexer backfill","format":2}';
const legit =
  's3://trail/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/31/111111111111_CloudTrail_us-east-1_20240531T0000Z_a.json.gz';

describe('Checkpoint', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoint-'));
    path = join(dir, 'ckpt');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON string per file after a header, and a reopened checkpoint holds them', async () => {
    const checkpoint = await Checkpoint.open(path);
    await Promise.all(['a', 'b', 'c'].map((name) => checkpoint.markDone(name)));
    await checkpoint.close();
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n"a"\n"b"\n"c"\n`);
    const reopened = await Checkpoint.open(path);
    expect([reopened.has('a'), reopened.has('b'), reopened.has('c'), reopened.has('d')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(reopened.size).toBe(3);
  });

  it('never lets a key holding a newline (or any control character) mark another file done', async () => {
    const hostile = `s3://trail/AWSLogs/x\n${legit}\r\u0000\u2028`;
    const checkpoint = await Checkpoint.open(path);
    await checkpoint.markDone(hostile);
    await checkpoint.close();
    const reopened = await Checkpoint.open(path);
    expect(reopened.has(legit)).toBe(false);
    expect(reopened.has(hostile)).toBe(true);
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(3);
  });

  it('drops a torn last line (a crash mid-write) and compacts the file', async () => {
    await writeFile(path, `${HEADER}\n"a"\n"b"\n"a"\n"c`);
    const checkpoint = await Checkpoint.open(path);
    expect([checkpoint.has('a'), checkpoint.has('b'), checkpoint.has('c')]).toEqual([true, true, false]);
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n"a"\n"b"\n`);
    await checkpoint.markDone('c');
    await checkpoint.close();
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n"a"\n"b"\n"c"\n`);
  });

  it('reads a checkpoint of the old one-name-per-line format and rewrites it in the new one', async () => {
    await writeFile(path, `${legit}\n/logs/a.json\n`);
    const checkpoint = await Checkpoint.open(path);
    expect([checkpoint.has(legit), checkpoint.has('/logs/a.json')]).toEqual([true, true]);
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n${JSON.stringify(legit)}\n"/logs/a.json"\n`);
  });

  it('writes the header into an empty file', async () => {
    await writeFile(path, '');
    const checkpoint = await Checkpoint.open(path);
    await checkpoint.markDone('a');
    await checkpoint.close();
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n"a"\n`);
  });

  it('refuses a line that is not a JSON string, naming the file and the line', async () => {
    await writeFile(path, `${HEADER}\n"a"\n{"b":1}\n`);
    await expect(Checkpoint.open(path)).rejects.toThrow(
      `cannot read the checkpoint ${path} (line 3 is not a JSON string)`,
    );
  });

  it('resumes a selection of 20,000 files spread over read chunks', async () => {
    const names = Array.from({ length: 20_000 }, (_, n) => `${legit.slice(0, -8)}${n}.json.gz`);
    await writeFile(path, `${HEADER}\n${names.map((name) => JSON.stringify(name)).join('\n')}\n`);
    const checkpoint = await Checkpoint.open(path);
    expect(checkpoint.size).toBe(20_000);
    expect(names.every((name) => checkpoint.has(name))).toBe(true);
  });
});
