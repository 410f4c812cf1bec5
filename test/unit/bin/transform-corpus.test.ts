import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TransformRunOptions } from '../../../src/operations/run-transform.ts';
import { runTransform } from '../../../src/operations/run-transform.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../src/pipeline/transform-log-file.ts';
import { walkLogFiles } from '../../../src/sources/local/walk-log-files.ts';
import { IndexRouting } from '../../../src/transforms/route-event.ts';
import { corpusDir } from '../../helpers/corpus.ts';

/**
 * The `transform` command's output over the whole repository corpus, held byte for byte: a digest of
 * each file's NDJSON and the exact stderr lines, in snapshot files written from the command as it was
 * before it ran through `processLogFile` (issue 16 item 3). A change to either shows here as a diff,
 * file by file.
 */

class Collector extends Writable {
  text = '';
  override _write(chunk: string | Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function transform(
  paths: string[],
  options: TransformRunOptions,
): Promise<{ stdout: string; stderr: string[] }> {
  const stdout = new Collector();
  const stderr = new Collector();
  await runTransform(paths, options, { stdout, stderr });
  const lines = stderr.text.trimEnd().split('\n');
  // Paths as the corpus names them, so the snapshot does not depend on where the checkout is.
  return { stdout: stdout.text, stderr: lines.map((line) => line.replaceAll(`${corpusDir}/`, '')) };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const RUNS: { name: string; options: TransformRunOptions }[] = [
  { name: 'worker-rules', options: DEFAULT_TRANSFORM_OPTIONS },
  {
    name: 'any-name-file-date',
    options: {
      ...DEFAULT_TRANSFORM_OPTIONS,
      anyName: true,
      routing: IndexRouting.FileDate,
      indexPrefix: 'ct',
    },
  },
];

describe('transform over the repository corpus', { timeout: 120_000 }, () => {
  for (const { name, options } of RUNS) {
    it(`prints the same bytes as before, file by file (${name})`, async () => {
      const files: string[] = [];
      for await (const file of walkLogFiles(corpusDir)) files.push(file);
      const report: string[] = [];
      let concatenated = '';
      for (const file of files) {
        const { stdout, stderr } = await transform([file], options);
        concatenated += stdout;
        const lines = stdout === '' ? 0 : stdout.split('\n').length - 1;
        report.push(`${relative(corpusDir, file)}  ${lines} lines  sha256 ${digest(stdout)}`);
        for (const line of stderr) report.push(`  ${line}`);
      }
      // The folder at once: the same documents, in the walk's order, and one summary line.
      const whole = await transform([corpusDir], options);
      expect(whole.stdout === concatenated).toBe(true);
      report.push(`whole corpus: ${whole.stdout.length} characters  sha256 ${digest(whole.stdout)}`);
      for (const line of whole.stderr) report.push(`  ${line}`);
      await expect(`${report.join('\n')}\n`).toMatchFileSnapshot(
        `./__snapshots__/transform-corpus.${name}.txt`,
      );
    });
  }
});
