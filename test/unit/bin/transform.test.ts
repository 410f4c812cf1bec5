import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformRunOptions, TransformRunSummary } from '../../../src/operations/run-transform.ts';
import { runTransform } from '../../../src/operations/run-transform.ts';
import { DEFAULT_TRANSFORM_OPTIONS } from '../../../src/pipeline/transform-log-file.ts';
import { expectedEvents, FIXTURES_DIR, logFilesUnder } from '../transforms/corpus-files.ts';

const CLI = fileURLToPath(new URL('../../../src/bin/cli.ts', import.meta.url));

/** A Writable that keeps what it is given; `delay` makes it a slow reader. */
class Collector extends Writable {
  text = '';
  /** The most output ever waiting in this stream's buffer, unread. */
  peakBuffered = 0;
  readonly delay: boolean;
  constructor(delay = false) {
    super({ highWaterMark: 1024, decodeStrings: false });
    this.delay = delay;
  }
  override _write(chunk: string | Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    this.peakBuffered = Math.max(this.peakBuffered, this.writableLength);
    if (this.delay) setTimeout(done, 1);
    else done();
  }
}

const ANY_NAME = { ...DEFAULT_TRANSFORM_OPTIONS, anyName: true };

async function run(
  paths: string[],
  options: TransformRunOptions = ANY_NAME,
  stdout = new Collector(),
): Promise<{ summary: TransformRunSummary; stdout: string; stderr: string[] }> {
  const stderr = new Collector();
  const summary = await runTransform(paths, options, { stdout, stderr });
  return { summary, stdout: stdout.text, stderr: stderr.text.trimEnd().split('\n') };
}

/** Checks the NDJSON is action/document pairs and returns them. */
function bulkPairs(
  ndjson: string,
): { action: { create: { _index: string; _id: string } }; document: Record<string, unknown> }[] {
  const lines = ndjson.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.length % 2).toBe(0);
  const pairs = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i]!);
    expect(Object.keys(action)).toEqual(['create']);
    expect(Object.keys(action.create)).toEqual(['_index', '_id']);
    pairs.push({ action, document: JSON.parse(lines[i + 1]!) });
  }
  return pairs;
}

describe('runTransform (the transform command)', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'transform-command-'));
    await writeFile(
      join(scratch, 'a-good.json.gz'),
      gzipSync('{"Records":[{"eventID":"g1","eventTime":"2024-05-31T23:59:59Z"}]}'),
    );
    await writeFile(join(scratch, 'b-invalid.json'), '{"Records":[{"eventID":"x",}]}');
    await writeFile(
      join(scratch, '111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20150817T150131Z.json.gz'),
      'ignored',
    );
    await writeFile(
      join(scratch, 'c-digest-content.json'),
      '{"digestStartTime":"2015-08-17T14:01:31Z","logFiles":[]}',
    );
    await writeFile(join(scratch, 'd-empty.json'), '');
    await writeFile(
      join(scratch, 'e-good.json'),
      '{"Records":[{"eventID":"g2","eventTime":"2024-06-01T00:00:00Z"}]}',
    );
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes one create action and one document line per event of every file under a folder', async () => {
    const { summary, stdout, stderr } = await run([FIXTURES_DIR]);
    const files = logFilesUnder(FIXTURES_DIR).filter((file) => !file.endsWith('.log'));
    const events = files.flatMap((file) => expectedEvents(file));
    const pairs = bulkPairs(stdout);
    expect(pairs).toHaveLength(events.length);
    expect(pairs.map((pair) => pair.action.create._id)).toEqual(events.map((event) => event.eventID));
    expect(pairs.every((pair) => /^cloudtrail-(\d{4}-\d{2}|undated)$/.test(pair.action.create._index))).toBe(
      true,
    );
    expect(summary).toEqual({ files: files.length, documents: events.length, skipped: 0, failed: 0 });
    expect(stderr).toEqual([
      `transform: ${events.length} documents from ${files.length} files (0 skipped, 0 failed)`,
    ]);
  });

  it('skips files whose names are not CloudTrail log file names, as the worker does, unless told otherwise', async () => {
    const path = join(FIXTURES_DIR, 'otrf_security-datasets');
    const { summary, stdout, stderr } = await run([path], DEFAULT_TRANSFORM_OPTIONS);
    expect(summary).toMatchObject({ files: 1, documents: 0, skipped: 1, failed: 0 });
    expect(stdout).toBe('');
    expect(stderr[0]).toMatch(
      /^skipped: .*ec2_proxy.*: the name is not a CloudTrail log file name .*\(--any-name reads it anyway\)$/,
    );
    expect((await run([path])).summary).toMatchObject({ documents: 103, skipped: 0 });
  });

  it('reads a named file whatever its extension', async () => {
    const path = join(FIXTURES_DIR, 'aws-solutions_centralized-logging-with-opensearch/cloudtrail.log');
    const { summary } = await run([path]);
    expect(summary.documents).toBe(4);
  });

  it('reports each failed or skipped file on its own stderr line, naming it, and goes on with the others', async () => {
    const { summary, stdout, stderr } = await run([scratch, join(scratch, 'missing.json')]);
    expect(bulkPairs(stdout).map((pair) => pair.action.create)).toEqual([
      { _index: 'cloudtrail-2024-05', _id: 'g1' },
      { _index: 'cloudtrail-2024-06', _id: 'g2' },
    ]);
    expect(summary).toEqual({ files: 6, documents: 2, skipped: 2, failed: 3 });
    expect(stderr).toEqual([
      expect.stringMatching(/^skipped: .*_CloudTrail-Digest_.*: a CloudTrail digest file/),
      expect.stringMatching(/^error: .*b-invalid\.json: record 1 is not valid JSON .*\(record 1, byte 27\)$/),
      expect.stringMatching(
        /^skipped: .*c-digest-content\.json: a CloudTrail digest file \(by its content\)/,
      ),
      expect.stringMatching(/^error: .*d-empty\.json: the file is empty$/),
      expect.stringMatching(/^error: .*missing\.json: cannot read \(ENOENT/),
      'transform: 2 documents from 6 files (2 skipped, 3 failed)',
    ]);
  });

  it('routes by the file name date with file-date routing, and says so for names without a date', async () => {
    const { stdout, stderr } = await run([scratch], {
      ...ANY_NAME,
      routing: 'file-date',
      indexPrefix: 'ct',
    });
    expect(bulkPairs(stdout).map((pair) => pair.action.create._index)).toEqual(['ct-2024-05', 'ct-2024-06']);
    expect(stderr.filter((line) => line.startsWith('note:'))).toHaveLength(2);
  });

  it('waits for a slow reader instead of buffering the whole output', async () => {
    const slow = new Collector(true);
    const fast = await run([FIXTURES_DIR]);
    const { stdout } = await run([FIXTURES_DIR], ANY_NAME, slow);
    expect(stdout).toBe(fast.stdout);
    // The output is several write pieces (about 64 Ki characters each); a writer ignoring backpressure
    // would have queued all of them before the slow reader took the first.
    expect(stdout.length).toBeGreaterThan(3 * 64 * 1024);
    expect(slow.peakBuffered).toBeLessThan(stdout.length / 2);
  });

  it('stops quietly when the reader goes away (a closed pipe)', async () => {
    const closing = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new Collector();
    await expect(
      runTransform([FIXTURES_DIR], DEFAULT_TRANSFORM_OPTIONS, { stdout: closing, stderr }),
    ).resolves.toMatchObject({ failed: 0 });
  });
});

// Each test starts Node; on a loaded machine that alone can pass the 5 s default.
describe('cloudtrail-indexer transform (the CLI)', { timeout: 60_000 }, () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'transform', ...args], {
      encoding: 'utf8',
      env: { ...process.env, INDEX_PREFIX: '', INDEX_ROUTING: '', FLATTEN_KEYS: '' },
    });

  it('prints the _bulk NDJSON and exits 0 when every file is transformed', () => {
    const path = join(FIXTURES_DIR, 'flosell_trailscraper');
    const result = cli('--routing', 'file-date', '--prefix', 'audit', path);
    expect(result.status).toBe(0);
    const pairs = bulkPairs(result.stdout);
    expect(pairs).toHaveLength(4);
    expect(pairs[0]!.action.create).toEqual({
      _index: 'audit-2017-12',
      _id: 'a0ed971f-389f-406a-9fcf-887c5ca6903a',
    });
    expect(result.stderr).toBe('transform: 4 documents from 2 files (0 skipped, 0 failed)\n');
  });

  it('reads renamed files with --any-name', () => {
    const path = join(FIXTURES_DIR, 'otrf_security-datasets');
    expect(cli(path).stdout).toBe('');
    const result = cli('--any-name', path);
    expect(result.status).toBe(0);
    expect(bulkPairs(result.stdout)).toHaveLength(103);
  });

  it('exits non-zero when a file failed', () => {
    const result = cli(join(FIXTURES_DIR, 'no-such-file.json'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no-such-file.json');
  });

  it('takes its settings from the worker variables when no flag is given', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'transform', join(FIXTURES_DIR, 'flosell_trailscraper')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          INDEX_PREFIX: 'from-env',
          INDEX_ROUTING: 'event-time',
          FLATTEN_KEYS: 'resources',
        },
      },
    );
    expect(result.status).toBe(0);
    const [, second] = bulkPairs(result.stdout);
    expect(second!.action.create._index).toBe('from-env-2017-12');
    expect(Object.keys(second!.document)).toContain('resources_raw');
    expect(Object.keys(second!.document)).toContain('requestParameters');
  });

  it('rejects an invalid index prefix before reading anything', () => {
    const result = cli('--prefix', 'Bad Prefix', FIXTURES_DIR);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--prefix');
  });
});
