import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CheckpointError } from './checkpoint-error.ts';

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
  readonly #done: Set<string>;
  #handle: Promise<FileHandle> | undefined;
  /** Lines waiting for the write in progress to finish: they go out together in the next one. */
  #pending: string[] = [];
  /** The write that will take the pending lines (not started yet). */
  #next: Promise<void> | undefined;
  /** The last write scheduled. */
  #tail: Promise<void> = Promise.resolve();
  #empty: boolean;

  private constructor(path: string, done: Set<string>, empty: boolean) {
    this.path = path;
    this.#done = done;
    this.#empty = empty;
  }

  static async open(path: string): Promise<Checkpoint> {
    let read: ReadResult;
    try {
      read = await readCheckpoint(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw error instanceof CheckpointError ? error : new CheckpointError(path, 'read', error);
      return new Checkpoint(path, new Set(), true);
    }
    if (read.needsCompaction) await compact(path, read.done);
    return new Checkpoint(path, read.done, read.lines === 0 && !read.needsCompaction);
  }

  /** The default file: one per source and selection, in the working directory. */
  static defaultPath(source: string, selectionKey: string): string {
    const hash = createHash('sha256').update(`${source}\n${selectionKey}`).digest('hex').slice(0, 12);
    return resolve(`.cloudtrail-indexer-backfill-${hash}.checkpoint`);
  }

  /** Whether a previous run completed it (names recorded by this run are not kept in memory). */
  has(name: string): boolean {
    return this.#done.has(name);
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

interface ReadResult {
  readonly done: Set<string>;
  readonly needsCompaction: boolean;
  readonly lines: number;
}

/** Reads a checkpoint line by line (no whole-file string: a million names are ~130 MB). */
async function readCheckpoint(path: string): Promise<ReadResult> {
  const done = new Set<string>();
  let lines = 0;
  let legacy = false;
  let redundant = false;
  let carry: Buffer | undefined;
  const take = (line: string): void => {
    lines++;
    if (lines === 1) {
      if (line === HEADER) return;
      legacy = !line.startsWith('{"checkpoint"');
      if (!legacy) throw new CheckpointError(path, 'read', new Error(`unknown format: ${line.slice(0, 80)}`));
    }
    if (legacy) {
      if (line !== '') done.add(line);
      return;
    }
    let name: unknown;
    try {
      name = JSON.parse(line);
    } catch {
      name = undefined;
    }
    if (typeof name !== 'string')
      throw new CheckpointError(path, 'read', new Error(`line ${lines} is not a JSON string`));
    if (done.has(name)) redundant = true;
    done.add(name);
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      take(data.toString('utf8', start, end));
      start = end + 1;
    }
    carry = start < data.length ? data.subarray(start) : undefined;
  }
  // A last line without its newline was being written when the run died: it was never done.
  if (carry) redundant = true;
  return { done, needsCompaction: legacy || redundant, lines };
}

async function compact(path: string, done: ReadonlySet<string>): Promise<void> {
  const temporary = `${path}.compacting`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'w');
    let buffer = `${HEADER}\n`;
    for (const name of done) {
      buffer += `${JSON.stringify(name)}\n`;
      if (buffer.length > 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    await handle.write(buffer);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw new CheckpointError(path, 'write', error);
  }
}
