/**
 * `npm run bench`: every benchmark, one after the other (never part of `npm test`).
 *
 *   npm run bench                     # record mode: writes bench/RESULTS.md (about 40 min on 2 cores)
 *   BENCH_SIZE=small npm run bench    # quick mode: small workload, fewer runs, RESULTS.md untouched
 *
 * 1. bench/transform.ts (scenario 1: transform only, and the transform command's peak RSS);
 * 2. bench/ingest.ts (scenarios 2–6 against an OpenSearch and a LocalStack of its own);
 * 3. bench/mapping-cost.ts (issue 19: the cluster's CPU and disk per event, ours against the seed's mapping).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const record = (process.env.BENCH_SIZE ?? 'record') !== 'small';

function run(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): void {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, [path, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    process.stderr.write(`bench: ${script} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

if (record) {
  run('./transform.ts', ['--write-results']);
} else {
  // The transform benchmark owns its section of RESULTS.md; a quick run only prints.
  run('./transform.ts', ['--skip-rss'], { BENCH_RUNS: '3' });
}
run('./ingest.ts', []);
run('./mapping-cost.ts', []);
