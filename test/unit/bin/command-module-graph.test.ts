import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

/**
 * The packages a command's module loads, directly or not, as Node resolves them (CommonJS included),
 * in a fresh process: what the command costs in resident memory before it does anything.
 */
function packagesLoadedBy(commandModule: string): string[] {
  const record = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
      if (match) seen.add(match[1]);
      return resolved;
    } });
    process.on('exit', () => process.stdout.write(JSON.stringify([...seen].sort())));
  `;
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(record)}`,
      '--input-type=module',
      '--eval',
      `await import(${JSON.stringify(pathToFileURL(join(root, commandModule)).href)});`,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

const AWS_SDK = /^@aws-sdk\/|^@smithy\//;

// Each SDK or client a command loads without calling it costs several MB of RSS for its whole run
// (bench/RESULTS.md, cli-memory): the S3 SDK ~10, the OpenSearch client ~12.
describe("a command's module graph holds only what it calls", () => {
  it('backfill: no AWS SDK (the S3 client and listing load for --s3, SQS and SSM for --via-queue)', () => {
    const packages = packagesLoadedBy('src/bin/backfill.ts');
    expect(packages).toContain('@opensearch-project/opensearch');
    expect(packages.filter((name) => AWS_SDK.test(name))).toEqual([]);
  });

  it('transform: neither the AWS SDK nor the OpenSearch client', () => {
    const packages = packagesLoadedBy('src/bin/transform.ts');
    expect(packages.filter((name) => AWS_SDK.test(name) || name.startsWith('@opensearch-project/'))).toEqual(
      [],
    );
  });
});
