import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type HostileScale, hostileCorpus } from './hostile-corpus.ts';

/**
 * Writes the hostile corpus to a folder, one file per object under its S3 key (control characters in
 * a key written as `\uXXXX`), for `cloudtrail-indexer transform` or an upload by hand:
 *   node test/hostile/generate-hostile-corpus.ts OUT_DIR [--full]
 */
const [out, flag] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: node test/hostile/generate-hostile-corpus.ts OUT_DIR [--full]\n');
  process.exit(2);
}
const scale: HostileScale = flag === '--full' ? 'full' : 'ci';
for (const hostile of hostileCorpus(scale)) {
  for (const object of hostile.objects) {
    const name = object.key.replaceAll(
      /\p{Cc}/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const path = join(out, name.replaceAll('{bucket}', 'BUCKET'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
    process.stdout.write(`${hostile.kind}\t${object.body.length}\t${path}\n`);
  }
}
