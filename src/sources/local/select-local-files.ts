import { stat } from 'node:fs/promises';
import { classifyObjectKey, LogFileKind } from '../../core/classify-object-key.ts';
import { isFiltered, isSelected, type Selection } from '../../core/log-file-selection.ts';
import { walkLogFiles } from './walk-log-files.ts';

export interface LocalFile {
  readonly path: string;
  readonly size: number;
  /** The name is not a CloudTrail file name: read by content (only when nothing is filtered). */
  readonly anyName: boolean;
}

/**
 * The log files below a folder, sorted, with the same name rules and filters as a bucket listing.
 * Files whose names are not CloudTrail's (renamed copies, exports) carry no date, account or
 * region, so they are taken only when the selection filters on none of these.
 */
export async function* selectLocalFiles(folder: string, selection: Selection): AsyncGenerator<LocalFile> {
  const filtered = isFiltered(selection);
  for await (const path of walkLogFiles(folder)) {
    const info = classifyObjectKey(path);
    if (info.kind === LogFileKind.Digest) continue;
    if (info.kind !== LogFileKind.CloudTrail && info.kind !== LogFileKind.Insight) {
      if (filtered) continue;
      yield { path, size: (await stat(path)).size, anyName: true };
      continue;
    }
    if (!isSelected(info, selection)) continue;
    yield { path, size: (await stat(path)).size, anyName: false };
  }
}
