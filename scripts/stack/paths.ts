import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot: string = resolve(import.meta.dirname, '../..');

/** Downloads (the OpenSearch zip, the LocalStack virtualenv). Git-ignored; CI points it at a cache that outlives clones. */
export const cacheDir: string = resolve(process.env.CTI_CACHE_DIR ?? join(repoRoot, '.cache'));

/** What `stack:up` leaves for others to read: the dotenv contract and the state of the processes it started. */
export const stackDir: string = join(repoRoot, '.stack');
export const stackEnvFile: string = join(stackDir, 'env');
export const stackStateFile: string = join(stackDir, 'state.json');

/**
 * OpenSearch runs from a folder under the system temp dir: when we are root it must run as an
 * unprivileged user, and that user can always traverse /tmp but not necessarily the checkout.
 * One folder per checkout (named by a hash of its path), so that two checkouts on one machine
 * never unpack over, or start in, each other's folder.
 */
const checkoutTag = createHash('sha256').update(repoRoot).digest('hex').slice(0, 10);
export const runDir: string = join(tmpdir(), `cloudtrail-indexer-stack-${checkoutTag}`);
