import { performance } from 'node:perf_hooks';
import { IMAGES } from './images/catalogue.ts';
import { imageSizeBytes, requireEngine } from './images/docker.ts';
import { ensureImage } from './images/ensure.ts';
import { StackError } from './stack/processes.ts';

/**
 * `npm run images`: every image the Dockerfile and docker-compose.yml name, for an engine without a
 * registry. Each is used if present, else pulled, else built as a stand-in (scripts/images/stand-ins/,
 * differences from the real images in its README). Idempotent: a second run only inspects.
 */
try {
  requireEngine();
  const started = performance.now();
  for (const spec of IMAGES) {
    const t0 = performance.now();
    const outcome = ensureImage(spec);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const mb = (imageSizeBytes(spec.name) / 1e6).toFixed(0);
    console.log(
      `images: ${spec.name.padEnd(46)} ${outcome.padEnd(8)} ${seconds.padStart(6)} s ${mb.padStart(5)} MB`,
    );
  }
  console.log(`images: all ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(error instanceof StackError ? error.message : error);
  process.exitCode = 1;
}
