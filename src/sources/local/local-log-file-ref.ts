import { createReadStream } from 'node:fs';
import type { LogFileRef } from '../../core/log-file-ref.ts';

/** The pipeline's view of a file on disk. */
export function localLogFileRef(path: string, anyName = false): LogFileRef {
  return {
    name: path,
    key: path,
    anyName,
    open: async (signal) => createReadStream(path, signal ? { signal } : {}),
  };
}
