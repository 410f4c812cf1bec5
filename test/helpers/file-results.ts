import { type FileResult, FileStatus } from '../../src/core/file-result.ts';

/** The result a processed file of one event reports, with a reason whenever it was not indexed. */
export function fileResultOf(file: string, status: FileStatus): FileResult {
  return {
    file,
    status,
    events: 1,
    repaired: 0,
    failed: 0,
    indexes: [],
    blocked: false,
    durationMs: 1,
    ...(status === FileStatus.Indexed ? {} : { reason: `${status} on purpose` }),
  };
}
