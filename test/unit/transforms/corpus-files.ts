import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseLossless } from '../../../src/core/parse-lossless.ts';
import { corpusDir } from '../../helpers/corpus.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Real log files committed with the tests (see its README for their origin). */
export const FIXTURES_DIR = join(REPO_ROOT, 'test/fixtures/cloudtrail');

const LOG_FILE = /\.(json|json\.gz|log)$/;

/** Files under `folder` (recursively, sorted) whose names end in .json, .json.gz or .log. */
export function logFilesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return logFilesUnder(path);
      return LOG_FILE.test(entry.name) ? [path] : [];
    });
}

/** Every file of the corpus that is a valid CloudTrail log file (each must turn into documents). */
export function corpusLogFiles(): string[] {
  return [
    'logs',
    'converted-records',
    'insights',
    'supplementary-edited-fixtures',
    'aws-docs-examples',
  ].flatMap((folder) => logFilesUnder(join(corpusDir, folder)).filter((file) => !file.includes('INVALID')));
}

export function fileText(path: string): string {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

/** The file's events, parsed on their own without the code under test's reader (numbers exact). */
export function expectedEvents(path: string): Record<string, unknown>[] {
  const parsed = parseLossless(fileText(path)) as { Records: Record<string, unknown>[] };
  return parsed.Records;
}

/** Whether the file is one-line compact JSON (so `_raw` must be byte-identical to its source). */
export function isCompact(path: string): boolean {
  const text = fileText(path).trimEnd();
  return !text.includes('\n') && !/[:,]\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}
