import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runTransform } from '../../../src/operations/run-transform.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../src/pipeline/transform-log-file.ts';
import { hostileCorpus } from '../../hostile/hostile-corpus.ts';

const CLI = resolve(import.meta.dirname, '../../../src/bin/cli.ts');
/** The bound the tests set, so the gzip bomb stays small: the default (4 GiB) is measured by hand. */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

class Collector extends Writable {
  text = '';
  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const folder = mkdtempSync(join(tmpdir(), 'hostile-'));
const corpus = hostileCorpus('ci');
const cases = corpus.filter((hostile) => hostile.transform !== undefined);

describe('the hostile corpus through transform', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it.each(cases.map((hostile) => [hostile.kind, hostile] as const))('%s', async (_, hostile) => {
    const object = hostile.objects[0]!;
    const path = join(folder, basename(object.key));
    writeFileSync(path, object.body);
    const stderr = new Collector();
    const summary = await runTransform(
      [path],
      { ...DEFAULT_TRANSFORM_OPTIONS, maxDecompressedBytes: MAX_DECOMPRESSED_BYTES },
      { stdout: new Collector(), stderr },
    );
    const expected = hostile.transform!;
    expect(summary.documents).toBe(expected.documents);
    expect(summary.failed).toBe(expected.error ? 1 : 0);
    if (expected.error) expect(stderr.text).toContain(expected.error);
  });

  it('takes the bounds from the worker variables on the command line', () => {
    const bomb = corpus.find((hostile) => hostile.kind === 'gzip bomb')!;
    const path = join(
      folder,
      'bomb-123456789012_CloudTrail_us-east-1_20240601T0005Z_AbCdEfGhIjKlMnOp.json.gz',
    );
    writeFileSync(path, bomb.objects[0]!.body);
    const result = spawnSync(process.execPath, [CLI, 'transform', '--any-name', path], {
      encoding: 'utf8',
      env: { ...process.env, MAX_DECOMPRESSED_BYTES: String(MAX_DECOMPRESSED_BYTES) },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes (MAX_DECOMPRESSED_BYTES)`,
    );
  }, 60_000);
});
