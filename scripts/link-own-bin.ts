/**
 * Puts the CLI on npx's path: links `node_modules/.bin/cloudtrail-indexer` to dist/bin/cli.js. Run by
 * `npm ci` (the `prepare` script, after the build).
 *
 * Why not a `bin` field in package.json: for a command named in the project's own `bin`, npm 11's
 * npx "installs" the checkout into its cache on first use (libnpmexec, "self-execution of a local
 * bin"). Under the machine's Node (20 here) that install prints npm's EBADENGINE warning twice. A
 * command found in node_modules/.bin runs at once, and the `node` first on npx's PATH is then the
 * project's own Node 24 (the `node` devDependency), so the AWS SDK's warning about old Node versions
 * never appears either. The package is private: nothing installs it elsewhere.
 */
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const COMMAND = 'cloudtrail-indexer';
const ENTRY = 'dist/bin/cli.js';

const root = resolve(import.meta.dirname, '..');
const binDir = join(root, 'node_modules/.bin');
const link = join(binDir, COMMAND);
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(binDir, join(root, ENTRY)), link);
// tsc writes files without the execute bit, which npm would have set for a `bin` entry.
chmodSync(join(root, ENTRY), 0o755);
