import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../src/backfill/checkpoint.ts';
import { CheckpointError } from '../../../src/backfill/checkpoint-error.ts';
import { formatPlan, summarizePlan } from '../../../src/backfill/dry-run.ts';
import { etaSeconds, type ProgressCounts } from '../../../src/backfill/progress.ts';
import { runBackfill } from '../../../src/backfill/run-backfill.ts';
import { formatFailures, LISTED_FAILURES } from '../../../src/backfill/selection-cursor.ts';
import type { FileResult, FileStatus } from '../../../src/core/file-result.ts';
import type { LogFileRef } from '../../../src/core/log-file-ref.ts';

const ref = (name: string): LogFileRef => ({ name, key: name, open: async () => [] });
const result = (file: string, status: FileStatus, events = 10): FileResult => ({
  file,
  status,
  events,
  repaired: 0,
  failed: 0,
  indexes: [],
  blocked: false,
  durationMs: 1,
  reason: status === 'rejected' ? 'corrupt-gzip: bad' : undefined,
});
const silentProgress = { update() {}, stop() {} };

describe('runBackfill', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-backfill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records completed files, lists failed ones, and skips what the checkpoint holds on a rerun', async () => {
    const path = join(dir, 'ckpt');
    const files = ['a', 'b', 'c', 'd'].map(ref);
    const statuses: Record<string, FileStatus> = { a: 'indexed', b: 'rejected', c: 'skipped', d: 'indexed' };
    const deps = (checkpoint: Checkpoint, seen: string[]) => ({
      processFile: async (file: LogFileRef) => {
        seen.push(file.name);
        return result(file.name, statuses[file.name] as FileStatus);
      },
      checkpoint,
      concurrency: 2,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
      abortInFlight: new AbortController().signal,
    });

    const firstSeen: string[] = [];
    const first = await runBackfill(files, deps(await Checkpoint.open(path), firstSeen));
    expect(first).toMatchObject({
      selected: 4,
      alreadyDone: 0,
      indexed: 2,
      skipped: 1,
      events: 40,
      interrupted: false,
    });
    expect(first.failed).toEqual([{ file: 'b', reason: 'corrupt-gzip: bad' }]);
    const recorded = (await readFile(path, 'utf8')).split('\n').slice(1).filter(Boolean);
    expect(recorded.map((line) => JSON.parse(line)).sort()).toEqual(['a', 'c', 'd']);

    statuses.b = 'indexed';
    const secondSeen: string[] = [];
    const second = await runBackfill(files, deps(await Checkpoint.open(path), secondSeen));
    expect(secondSeen).toEqual(['b']);
    expect(second).toMatchObject({ selected: 4, alreadyDone: 3, indexed: 1, failed: [] });
  });

  it('takes no new file once stopped, and says it was interrupted', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const summary = await runBackfill(['a', 'b', 'c', 'd', 'e'].map(ref), {
      processFile: async (file) => {
        seen.push(file.name);
        stop.abort();
        return result(file.name, 'indexed');
      },
      checkpoint: await Checkpoint.open(join(dir, 'stop')),
      concurrency: 1,
      progress: silentProgress,
      stopTaking: stop.signal,
      abortInFlight: new AbortController().signal,
    });
    expect(seen).toEqual(['a']);
    expect(summary).toMatchObject({ indexed: 1, interrupted: true });
  });

  it('says it was interrupted when the second signal cuts the last files short, the listing done', async () => {
    const stopNow = new AbortController();
    const summary = await runBackfill(['a', 'b'].map(ref), {
      processFile: async (file) => {
        if (file.name === 'a') return result('a', 'indexed');
        stopNow.abort();
        return {
          ...result('b', 'retry', 3),
          failure: 'interrupted',
          reason: 'stopped before every event was delivered (shutdown)',
        };
      },
      checkpoint: await Checkpoint.open(join(dir, 'cut')),
      concurrency: 1,
      progress: silentProgress,
      // Only the files in flight are cut: whether the selection was still being taken does not matter.
      stopTaking: new AbortController().signal,
      abortInFlight: stopNow.signal,
    });
    // Exit 130 (interrupted), not 1 (failed), and not listed as failed: nothing is wrong with the file,
    // and the next run indexes it again like any file not in the checkpoint.
    expect(summary).toMatchObject({ indexed: 1, failedCount: 0, failed: [], cutShort: 1, interrupted: true });
  });
});

describe('runBackfill loses nothing silently', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-backfill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const deps = (checkpoint: Checkpoint, processFile: (file: LogFileRef) => Promise<FileResult>) => ({
    processFile,
    checkpoint,
    concurrency: 2,
    progress: silentProgress,
    stopTaking: new AbortController().signal,
    abortInFlight: new AbortController().signal,
  });

  it('counts a file whose processing throws as failed, with the error as its reason', async () => {
    const summary = await runBackfill(
      ['a', 'b', 'c'].map(ref),
      deps(await Checkpoint.open(join(dir, 'ckpt')), async (file) => {
        if (file.name === 'b') throw new TypeError("Cannot read properties of undefined (reading 'x')");
        return result(file.name, 'indexed');
      }),
    );
    expect(summary).toMatchObject({ selected: 3, indexed: 2 });
    expect(summary.failed).toEqual([
      { file: 'b', reason: "processing threw: TypeError: Cannot read properties of undefined (reading 'x')" },
    ]);
    const again = await runBackfill(
      ['a', 'b', 'c'].map(ref),
      deps(await Checkpoint.open(join(dir, 'ckpt')), async (file) => result(file.name, 'indexed')),
    );
    expect(again).toMatchObject({ alreadyDone: 2, indexed: 1, failed: [] });
  });

  it('counts every failed file but keeps only the first LISTED_FAILURES by name', async () => {
    const names = Array.from({ length: LISTED_FAILURES + 50 }, (_, n) => `f${n}`);
    const summary = await runBackfill(
      names.map(ref),
      deps(await Checkpoint.open(join(dir, 'ckpt')), async (file) => result(file.name, 'rejected')),
    );
    expect(summary.failedCount).toBe(LISTED_FAILURES + 50);
    expect(summary.failed).toHaveLength(LISTED_FAILURES);
    const lines = formatFailures(summary);
    expect(lines).toHaveLength(LISTED_FAILURES + 1);
    expect(lines.at(-1)).toBe('    ... and 50 more (not listed here; a rerun retries them too)');
  });

  it('stops taking files when the checkpoint cannot be written, naming the file', async () => {
    const checkpoint = await Checkpoint.open(join(dir, 'ckpt'));
    const full = Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
    checkpoint.markDone = async () => {
      throw new CheckpointError(checkpoint.path, 'write', full);
    };
    const seen: string[] = [];
    const summary = await runBackfill(
      ['a', 'b', 'c', 'd', 'e', 'f'].map(ref),
      deps(checkpoint, async (file) => {
        seen.push(file.name);
        return result(file.name, 'indexed');
      }),
    );
    expect(seen).toEqual(['a', 'b']);
    expect(summary.checkpointError).toMatch(
      new RegExp(
        `^cannot write the checkpoint ${join(dir, 'ckpt')} \\(ENOSPC: no space left on device, write\\)`,
      ),
    );
  });
});

describe('runBackfill over a streamed selection', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-backfill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('pulls files only as workers free up: the listing is never more than one file per worker ahead', async () => {
    let pulled = 0;
    let done = 0;
    let maxAhead = 0;
    async function* listing(): AsyncGenerator<LogFileRef> {
      for (let n = 0; n < 200; n++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - done);
        yield ref(`f${n}`);
      }
    }
    const summary = await runBackfill(listing(), {
      processFile: async (file) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        done++;
        return result(file.name, 'indexed', 1);
      },
      checkpoint: await Checkpoint.open(join(dir, 'ckpt')),
      concurrency: 3,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
      abortInFlight: new AbortController().signal,
    });
    expect(summary).toMatchObject({ selected: 200, indexed: 200, events: 200, interrupted: false });
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it('stops when the listing fails, keeping what was done and the listing error', async () => {
    async function* listing(): AsyncGenerator<LogFileRef> {
      yield ref('a');
      yield ref('b');
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    }
    const summary = await runBackfill(listing(), {
      processFile: async (file) => result(file.name, 'indexed'),
      checkpoint: await Checkpoint.open(join(dir, 'ckpt')),
      concurrency: 1,
      progress: silentProgress,
      stopTaking: new AbortController().signal,
      abortInFlight: new AbortController().signal,
    });
    expect(summary).toMatchObject({ selected: 2, indexed: 2, listingError: 'AccessDenied: Access Denied' });
    expect(summary.interrupted).toBe(false);
  });

  it('reports files listed ahead, done and failed, with the events', async () => {
    const seen: ProgressCounts[] = [];
    const listing = { listed: 10, alreadyDone: 4, complete: true };
    await runBackfill(['a', 'b'].map(ref), {
      processFile: async (file) => result(file.name, file.name === 'a' ? 'indexed' : 'rejected'),
      checkpoint: await Checkpoint.open(join(dir, 'ckpt')),
      concurrency: 1,
      progress: { update: (counts) => seen.push({ ...counts }), stop() {} },
      stopTaking: new AbortController().signal,
      abortInFlight: new AbortController().signal,
      listing,
    });
    expect(seen.at(-1)).toEqual({
      listed: 10,
      alreadyDone: 4,
      listingComplete: true,
      done: 2,
      failed: 1,
      events: 20,
    });
  });
});

describe('etaSeconds', () => {
  const counts = { listed: 1000, alreadyDone: 100, listingComplete: true, done: 300, failed: 0, events: 0 };
  it('is the files left at the rate so far, once the listing is complete', () => {
    expect(etaSeconds(counts, 60)).toBe(120);
    expect(etaSeconds({ ...counts, listingComplete: false }, 60)).toBeUndefined();
    expect(etaSeconds({ ...counts, done: 0 }, 60)).toBeUndefined();
  });
});

describe('summarizePlan', () => {
  it('groups files by account and region with their size and span of days', () => {
    const groups = summarizePlan([
      {
        key: 'AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/30/111111111111_CloudTrail_us-east-1_20240530T0000Z_a.json.gz',
        size: 1024,
      },
      {
        key: 'AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/02/111111111111_CloudTrail_us-east-1_20240602T0000Z_b.json.gz',
        size: 2048,
      },
      { key: 'exports/events.json', size: 10 },
    ]);
    expect(groups).toEqual([
      {
        account: '(unnamed)',
        region: '(unnamed)',
        month: '-',
        files: 1,
        bytes: 10,
        firstDay: '-',
        lastDay: '-',
      },
      {
        account: '111111111111',
        region: 'us-east-1',
        month: '2024-05',
        files: 1,
        bytes: 1024,
        firstDay: '2024-05-30',
        lastDay: '2024-05-30',
      },
      {
        account: '111111111111',
        region: 'us-east-1',
        month: '2024-06',
        files: 1,
        bytes: 2048,
        firstDay: '2024-06-02',
        lastDay: '2024-06-02',
      },
    ]);
    expect(formatPlan(groups)).toMatch(/^Would load 3 files/);
  });
});
