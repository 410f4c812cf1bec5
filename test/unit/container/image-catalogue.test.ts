import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../../scripts/images/catalogue.ts';
import { standInsDir } from '../../../scripts/images/ensure.ts';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Images no stand-in is built for: our own (compose builds it) and Dashboards (opt-in profile). */
const NOT_STOOD_IN = [/^cloudtrail-indexer:/, /^opensearchproject\/opensearch-dashboards:/];

describe('npm run images', () => {
  const known = IMAGES.map((image) => image.name);

  it('covers every image the Dockerfile and docker-compose.yml name', () => {
    const stageNames = [...read('Dockerfile').matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    const fromImages = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)]
      .map((m) => m[1] as string)
      .filter((image) => !stageNames.includes(image));
    const composeImages = [...read('docker-compose.yml').matchAll(/^\s+image: (\S+)$/gm)].map(
      (m) => m[1] as string,
    );
    const named = [...new Set([...fromImages, ...composeImages])].filter(
      (image) => !NOT_STOOD_IN.some((pattern) => pattern.test(image)),
    );
    expect(named.length).toBeGreaterThanOrEqual(5);
    expect(named.filter((image) => !known.includes(image))).toEqual([]);
  });

  it('builds each stand-in from a recipe of its own, after the images it is built from', () => {
    IMAGES.forEach((image, index) => {
      const dir = join(standInsDir, image.standIn);
      expect(existsSync(join(dir, 'Dockerfile')) || existsSync(join(dir, 'build.sh'))).toBe(true);
      for (const base of image.needs) expect(known.indexOf(base)).toBeLessThan(index);
    });
  });

  it('documents how each stand-in differs from the real image', () => {
    const readme = read('scripts/images/README.md');
    for (const name of known) expect(readme).toContain(`\`${name}\``);
  });
});
