import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CheckpointError } from './checkpoint-error.ts';

/**
 * The files a backfill has completed, one name per line, appended as each completes: a rerun of the
 * same command skips them, and a crash loses at most the files in flight (their documents are simply
 * written again, under the same ids).
 */
export class Checkpoint {
  readonly path: string;
  readonly #done: Set<string>;

  private constructor(path: string, done: Set<string>) {
    this.path = path;
    this.#done = done;
  }

  static async open(path: string): Promise<Checkpoint> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw new CheckpointError(path, 'read', error);
    });
    return new Checkpoint(path, new Set(text.split('\n').filter((line) => line !== '')));
  }

  /** The default file: one per source and selection, in the working directory. */
  static defaultPath(source: string, selectionKey: string): string {
    const hash = createHash('sha256').update(`${source}\n${selectionKey}`).digest('hex').slice(0, 12);
    return resolve(`.cloudtrail-indexer-backfill-${hash}.checkpoint`);
  }

  has(name: string): boolean {
    return this.#done.has(name);
  }

  get size(): number {
    return this.#done.size;
  }

  async markDone(name: string): Promise<void> {
    if (this.#done.has(name)) return;
    this.#done.add(name);
    await appendFile(this.path, `${name}\n`).catch((error: unknown) => {
      throw new CheckpointError(this.path, 'write', error);
    });
  }
}
