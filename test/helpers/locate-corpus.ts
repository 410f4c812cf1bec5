import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The corpus committed with the tests: real CloudTrail files and notifications (see its MANIFEST.md and NOTICE.md). */
export const COMMITTED_CORPUS: string = resolve(import.meta.dirname, '../fixtures/corpus');

/**
 * Where the corpus of real CloudTrail data is: `CORPUS_DIR` if set (a larger or newer corpus of the
 * same layout), else the one committed in test/fixtures/corpus. Throws a sentence naming the folder
 * when it is not there, so that tests about these real events fail rather than pass by skipping.
 * The benchmark's workload generator uses it too.
 */
export function locateCorpus(): string {
  const dir = resolve(process.env.CORPUS_DIR ?? COMMITTED_CORPUS);
  if (!existsSync(join(dir, 'MANIFEST.md'))) {
    throw new Error(
      `The CloudTrail corpus is not at ${dir}: ${process.env.CORPUS_DIR ? 'CORPUS_DIR names a folder without a MANIFEST.md' : 'the checkout is incomplete (test/fixtures/corpus)'}.`,
    );
  }
  return dir;
}
