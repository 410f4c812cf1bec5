import type { LogFileRef } from '../core/log-file-ref.ts';
import type { Selection } from '../core/log-file-selection.ts';
import { localLogFileRef } from '../sources/local/local-log-file-ref.ts';
import { selectLocalFiles } from '../sources/local/select-local-files.ts';
import type { ListedObject } from '../sources/s3/list-log-files.ts';

/** One file of a backfill's selection, as the listing found it. */
export interface SelectedFile {
  /** The checkpoint's name for it: `s3://bucket/key` or the local path (the pipeline's `ref.name`). */
  readonly name: string;
  readonly key: string;
  readonly size: number;
  /** Set for S3 objects: what a notification announcing it needs. */
  readonly object?: ListedObject | undefined;
  ref(): LogFileRef;
}

/** A selection that can be listed as a stream, as often as needed (work, counting ahead, dry run). */
export type SelectedFiles = () => AsyncIterable<SelectedFile>;

export function localSelectedFiles(folder: string, selection: Selection): SelectedFiles {
  return async function* () {
    for await (const file of selectLocalFiles(folder, selection)) {
      yield {
        name: file.path,
        key: file.path,
        size: file.size,
        ref: () => localLogFileRef(file.path, file.anyName),
      };
    }
  };
}

/** The stream, or undefined when it is empty: one item is read ahead to know, then given back first. */
export async function nonEmpty<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T> | undefined> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return undefined;
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield first.value;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      } finally {
        await iterator.return?.();
      }
    },
  };
}

/** Maps a stream lazily. */
export async function* mapStream<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}
