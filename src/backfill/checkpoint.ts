import { createHash, hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CheckpointError } from './checkpoint-error.ts';
import { FingerprintSet } from './fingerprint-set.ts';

/** The first line of a checkpoint file: what it is, and its format (every later line is one JSON string). */
const HEADER = '{"checkpoint":"cloudtrail-indexer backfill","format":2}';
const NEWLINE = 0x0a;

/**
 * The files a backfill has completed (or, with `--via-queue`, enqueued): an append-only log of JSON
 * lines, a header then one JSON string per file, appended as each completes. A rerun of the same
 * command skips them, and a crash loses at most the files in flight (their documents are simply
 * written again, under the same ids).
 *
 * One JSON string per line makes the format unambiguous: a name holding a newline or any control
 * character is escaped, so it can never add another name (the old one-name-per-line file let the key
 * `x\ns3://BUCKET/<legit key>` mark the legit file done). A torn last line (a crash mid-write) is
 * dropped on open; a file in the old format, with duplicates or a torn line is compacted on open:
 * rewritten once, atomically (temporary file, then rename).
 */
export class Checkpoint {
  readonly path: string;
  /** Fingerprints of the names previous runs completed. */
  readonly #done: FingerprintSet;
  #handle: Promise<FileHandle> | undefined;
  /** Lines waiting for the write in progress to finish: they go out together in the next one. */
  #pending: string[] = [];
  /** The write that will take the pending lines (not started yet). */
  #next: Promise<void> | undefined;
  /** The last write scheduled. */
  #tail: Promise<void> = Promise.resolve();
  #empty: boolean;

  private constructor(path: string, done: FingerprintSet, empty: boolean) {
    this.path = path;
    this.#done = done;
    this.#empty = empty;
  }

  static async open(path: string): Promise<Checkpoint> {
    const done = new FingerprintSet();
    let read: ReadResult;
    try {
      read = await readNames(path, (name) => addTo(done, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw error instanceof CheckpointError ? error : new CheckpointError(path, 'read', error);
      return new Checkpoint(path, done, true);
    }
    if (read.needsCompaction) await compact(path);
    return new Checkpoint(path, done, read.lines === 0 && !read.needsCompaction);
  }

  /** The default file: one per source and selection, in the working directory. */
  static defaultPath(source: string, selectionKey: string): string {
    const hash = createHash('sha256').update(`${source}\n${selectionKey}`).digest('hex').slice(0, 12);
    return resolve(`.cloudtrail-indexer-backfill-${hash}.checkpoint`);
  }

  /** Whether a previous run completed it (names recorded by this run are not kept in memory). */
  has(name: string): boolean {
    return this.#done.has(fingerprint(name));
  }

  /** Files completed by previous runs. */
  get size(): number {
    return this.#done.size;
  }

  /**
   * Appends the name; resolves once it is written (not fsynced: a crash of the machine may lose the
   * last few). The name is not kept in memory: a run lists each file once, so memory stays flat in
   * the files it completes (a rerun reads them back). A name recorded twice is compacted on open.
   */
  markDone(name: string): Promise<void> {
    this.#pending.push(`${JSON.stringify(name)}\n`);
    // Group commit: names arriving while a write is under way gather and go out together in the next.
    if (!this.#next) {
      const next = this.#tail
        .catch(() => undefined)
        .then(() => {
          this.#next = undefined;
          const text = this.#pending.join('');
          this.#pending = [];
          return this.#write(text);
        });
      this.#next = next;
      this.#tail = next;
    }
    return this.#next;
  }

  /** Writes what is pending, syncs and closes the file. */
  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    if (!this.#handle) return;
    const handle = await this.#handle.catch(() => undefined);
    this.#handle = undefined;
    if (!handle) return;
    try {
      await handle.sync();
    } catch (error) {
      throw new CheckpointError(this.path, 'write', error);
    } finally {
      await handle.close();
    }
  }

  async #write(text: string): Promise<void> {
    try {
      this.#handle ??= open(this.path, 'a');
      const handle = await this.#handle;
      const body = this.#empty ? `${HEADER}\n${text}` : text;
      await handle.write(body);
      this.#empty = false;
    } catch (error) {
      throw new CheckpointError(this.path, 'write', error);
    }
  }
}

/**
 * A name's SHA-256, of which the checkpoint keeps the first 16 bytes in memory (FingerprintSet), not
 * the name (a million names: ~32 MB instead of ~300 MB). A collision would skip a file, so it is a
 * cryptographic hash: whoever can name objects cannot make a name that matches one they did not choose
 * (128 bits against a second preimage).
 */
const fingerprint = (name: string): string => hash('sha256', name, 'binary');

interface ReadResult {
  readonly needsCompaction: boolean;
  readonly lines: number;
}

/**
 * Calls `take` with each name of a checkpoint, read line by line (no whole-file string: a million
 * names are ~160 MB); `take` answers false for a name seen before. Says whether the file should be
 * compacted (old format, a name twice, a torn last line).
 */
async function readNames(path: string, take: (name: string) => boolean): Promise<ReadResult> {
  let lines = 0;
  let legacy = false;
  let redundant = false;
  let carry: Buffer | undefined;
  const line = (text: string): void => {
    lines++;
    if (lines === 1) {
      if (text === HEADER) return;
      legacy = !text.startsWith('{"checkpoint"');
      if (!legacy) throw new CheckpointError(path, 'read', new Error(`unknown format: ${text.slice(0, 80)}`));
    }
    if (legacy) {
      if (text !== '') take(text);
      return;
    }
    let name: unknown;
    try {
      name = JSON.parse(text);
    } catch {
      name = undefined;
    }
    if (typeof name !== 'string')
      throw new CheckpointError(path, 'read', new Error(`line ${lines} is not a JSON string`));
    if (!take(name)) redundant = true;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      line(data.toString('utf8', start, end));
      start = end + 1;
    }
    carry = start < data.length ? data.subarray(start) : undefined;
  }
  // A last line without its newline was being written when the run died: it was never done.
  if (carry) redundant = true;
  return { needsCompaction: legacy || redundant, lines };
}

/** Adds a name's fingerprint; false if it was there already. */
function addTo(set: FingerprintSet, name: string): boolean {
  return set.add(fingerprint(name));
}

/**
 * Rewrites the file with each name once, in the current format, atomically (temporary file, then
 * rename): a second pass over the file, written a megabyte at a time, so the names are never all in memory.
 */
async function compact(path: string): Promise<void> {
  const temporary = `${path}.compacting`;
  let handle: FileHandle | undefined;
  try {
    const file = await open(temporary, 'w');
    handle = file;
    const written = new FingerprintSet();
    let lines: string[] = [HEADER];
    let size = 0;
    let writes: Promise<unknown> = Promise.resolve();
    const flush = (): void => {
      const text = `${lines.join('\n')}\n`;
      writes = writes.then(() => file.write(text));
      lines = [];
      size = 0;
    };
    await readNames(path, (name) => {
      if (addTo(written, name)) {
        const text = JSON.stringify(name);
        lines.push(text);
        size += text.length;
        if (size > 1 << 20) flush();
      }
      return true;
    });
    if (lines.length > 0) flush();
    await writes;
    await file.sync();
    await file.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error instanceof CheckpointError ? error : new CheckpointError(path, 'write', error);
  }
}
