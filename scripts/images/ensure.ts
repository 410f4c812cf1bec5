import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, StackError } from '../stack/processes.ts';
import type { ImageSpec } from './catalogue.ts';
import { build, dockerCli, inspectImage, tryPull } from './docker.ts';

export const standInsDir: string = join(import.meta.dirname, 'stand-ins');
/** Build contexts and downloaded packages; outside the clone, so fresh clones reuse them. */
const workDir: string = join(
  resolve(process.env.CTI_CACHE_DIR ?? join(homedir(), '.cache', 'cloudtrail-indexer')),
  'images',
);
/** The label a stand-in carries: the hash of its recipe, so that a changed recipe rebuilds it. */
export const STAND_IN_LABEL = 'org.cloudtrail-indexer.stand-in';

export type Outcome = 'present' | 'pulled' | 'built' | 'rebuilt';

/** Everything the stand-in is made from: its folder's files, build arguments and the ids of its bases. */
function recipeHash(spec: ImageSpec): string {
  const hash = createHash('sha256').update(JSON.stringify({ name: spec.name, args: spec.buildArgs }));
  const dir = join(standInsDir, spec.standIn);
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  for (const base of spec.needs) hash.update(inspectImage(base)?.id ?? 'absent');
  return hash.digest('hex').slice(0, 16);
}

function unpackNpmPackage(contextDir: string, folder: string, pkg: string): void {
  const downloads = join(workDir, 'npm');
  mkdirSync(downloads, { recursive: true });
  const tarball = run('npm', ['pack', '--silent', pkg], { cwd: downloads })
    .trim()
    .split('\n')
    .at(-1) as string;
  mkdirSync(join(contextDir, folder), { recursive: true });
  run('tar', ['-xzf', join(downloads, tarball), '-C', join(contextDir, folder), '--strip-components=1']);
}

function buildStandIn(spec: ImageSpec, hash: string): void {
  const recipe = join(standInsDir, spec.standIn);
  const labels = { [STAND_IN_LABEL]: hash };
  if (existsSync(join(recipe, 'build.sh'))) {
    const result = spawnSync(
      'bash',
      [join(recipe, 'build.sh'), spec.name, '--change', `LABEL ${STAND_IN_LABEL}=${hash}`],
      {
        stdio: 'inherit',
        env: { ...process.env, DOCKER_CLI: dockerCli },
      },
    );
    if (result.status !== 0) throw new StackError(`Building the stand-in ${spec.name} failed (see above).`);
    return;
  }
  const context = join(workDir, spec.standIn);
  rmSync(context, { recursive: true, force: true });
  cpSync(recipe, context, { recursive: true });
  for (const [folder, pkg] of Object.entries(spec.npmPackages ?? {})) unpackNpmPackage(context, folder, pkg);
  for (const [file, fetch] of Object.entries(spec.extraFiles ?? {}))
    copyFileSync(fetch(), join(context, file));
  const logFile = join(workDir, `${spec.standIn}.build.log`);
  console.log(`images: building the stand-in ${spec.name} (log: ${logFile})`);
  build({ tag: spec.name, context, args: { ...spec.buildArgs }, labels, logFile });
  rmSync(context, { recursive: true, force: true });
}

/**
 * Uses the image when present (a real one, or a stand-in whose recipe has not changed), else pulls it,
 * else builds the stand-in. Returns what it did.
 */
export function ensureImage(spec: ImageSpec): Outcome {
  const present = inspectImage(spec.name);
  const hash = recipeHash(spec);
  const standInHash = present?.labels[STAND_IN_LABEL];
  if (present && (standInHash === undefined || standInHash === hash)) return 'present';
  if (!present && tryPull(spec.name)) return 'pulled';
  buildStandIn(spec, hash);
  return present ? 'rebuilt' : 'built';
}
