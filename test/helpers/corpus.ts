import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared corpus of real CloudTrail data, beside the checkout (../shared/corpus, see its MANIFEST.md),
 * or wherever CORPUS_DIR points. The tests are about these real events: a missing corpus fails every
 * test that needs it with this sentence rather than letting them pass by skipping.
 */
export const corpusDir: string = resolve(
  process.env.CORPUS_DIR ?? join(import.meta.dirname, '../../../shared/corpus'),
);

if (!existsSync(join(corpusDir, 'MANIFEST.md'))) {
  throw new Error(
    `The shared CloudTrail corpus is not at ${corpusDir}: check out ../shared beside the repository or set CORPUS_DIR.`,
  );
}

export const corpusPath = (...parts: string[]): string => join(corpusDir, ...parts);
