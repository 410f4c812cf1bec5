import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the shared corpus of real CloudTrail data is: CORPUS_DIR, or ../shared/corpus beside the
 * checkout (see its MANIFEST.md). Throws a sentence naming the folder when it is not there, so that
 * tests about these real events fail rather than pass by skipping. The benchmark's workload generator
 * uses it too.
 */
export function locateCorpus(): string {
  const dir = resolve(process.env.CORPUS_DIR ?? join(import.meta.dirname, '../../../shared/corpus'));
  if (!existsSync(join(dir, 'MANIFEST.md'))) {
    throw new Error(
      `The shared CloudTrail corpus is not at ${dir}: check out ../shared beside the repository or set CORPUS_DIR.`,
    );
  }
  return dir;
}
