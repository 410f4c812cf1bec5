import { join } from 'node:path';
import { locateCorpus } from './locate-corpus.ts';

/** The corpus of real CloudTrail data, located once for the tests that read it (a missing corpus fails them). */
export const corpusDir: string = locateCorpus();

export const corpusPath = (...parts: string[]): string => join(corpusDir, ...parts);
