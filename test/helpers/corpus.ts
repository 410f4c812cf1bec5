import { join, resolve } from 'node:path';

/** The shared corpus of real CloudTrail data, beside the checkout (see ../shared/README.md). */
export const corpusDir: string = resolve(import.meta.dirname, '../../../shared/corpus');

export const corpusPath = (...parts: string[]): string => join(corpusDir, ...parts);
