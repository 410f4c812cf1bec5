import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

const LOG_FILE_EXTENSIONS = ['.json', '.json.gz'] as const;

/** Whether a file found while walking a folder is taken as a (possibly) CloudTrail log file. */
export function hasLogFileExtension(name: string): boolean {
  return LOG_FILE_EXTENSIONS.some((extension) => name.endsWith(extension));
}

/**
 * The log files under `path`, in a stable order: `path` itself when it is a file (whatever its
 * name: naming a file is asking for it), otherwise every `.json` and `.json.gz` file below it,
 * recursively, names sorted by code unit so runs and checkpoints are reproducible. Symbolic links
 * are followed, each folder visited once. A missing or unreadable `path` rejects with the fs error.
 */
export async function* walkLogFiles(path: string): AsyncGenerator<string> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    yield path;
    return;
  }
  yield* walkFolder(path, new Set([await realpath(path)]));
}

async function* walkFolder(folder: string, visited: Set<string>): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) {
      const real = await realpath(path);
      if (visited.has(real)) continue;
      visited.add(real);
      yield* walkFolder(path, visited);
    } else if (isFile && hasLogFileExtension(entry.name)) {
      yield path;
    }
  }
}
