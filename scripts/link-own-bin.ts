/**
 * Links this checkout's own CLI into node_modules/.bin, run by `npm ci` (the `prepare` script).
 *
 * Why: npm never links a package's own `bin` into its own node_modules/.bin, so `npx
 * cloudtrail-indexer` in a checkout finds nothing there and "installs" the checkout into npm's
 * cache instead: under the machine's Node (20 here) that prints npm's EBADENGINE warning twice and
 * can run the CLI under that Node, where the AWS SDK warns that it no longer supports it. With the
 * link, npx runs the CLI at once, and the `node` first on npx's PATH is the project's own Node 24
 * (the `node` devDependency).
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import packageJson from '../package.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '..');
const binDir = join(root, 'node_modules/.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(packageJson.bin)) {
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, join(root, target)), link);
}
