import { createReadStream } from 'node:fs';
import type { LogFileRef } from '../../core/log-file-ref.ts';

/**
 * Reads stay below glibc's 128 KiB mmap threshold: freeing a larger buffer raises that threshold for
 * good, and the process then grows its heap in fragments it never returns. Measured on the 200 MB
 * bench file with `transform`: 256 KiB reads gave a peak RSS of 180 or 400 MB from run to run, 64 KiB
 * a steady 185 MB (bench/RESULTS.md). (64 KiB is also Node's default; it is written here for the reason.)
 */
export const LOCAL_READ_CHUNK_BYTES = 64 * 1024;

/** The pipeline's view of a file on disk. */
export function localLogFileRef(path: string, anyName = false): LogFileRef {
  return {
    name: path,
    key: path,
    anyName,
    open: async (signal) =>
      createReadStream(path, { highWaterMark: LOCAL_READ_CHUNK_BYTES, ...(signal ? { signal } : {}) }),
  };
}
