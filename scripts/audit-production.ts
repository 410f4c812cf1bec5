/**
 * `npm audit --omit=dev`, failing on high or critical vulnerabilities in what the image ships.
 *
 * Some registries (mirrors, proxies) do not serve npm's advisory endpoint and answer 405 or 404:
 * then there is nothing to judge, and the script says so plainly and exits 0, unless
 * AUDIT_REQUIRED=1, where an audit that could not run fails too. Run: `npm run audit:prod`.
 */
import { spawnSync } from 'node:child_process';

const BLOCKING = ['high', 'critical'] as const;

interface AuditReport {
  readonly vulnerabilities?: Record<string, { readonly severity: string; readonly via: unknown[] }>;
  readonly metadata?: { readonly vulnerabilities?: Record<string, number> };
  /** Present when npm could not get a report: the registry's answer. */
  readonly statusCode?: number;
  readonly message?: string;
  readonly error?: { readonly code?: string; readonly summary?: string };
}

export type AuditVerdict =
  | { readonly kind: 'passed'; readonly counts: Record<string, number> }
  | { readonly kind: 'failed'; readonly counts: Record<string, number>; readonly packages: readonly string[] }
  | { readonly kind: 'unavailable'; readonly why: string };

/** Judges the `npm audit --json` output. */
export function judgeAudit(output: string): AuditVerdict {
  let report: AuditReport;
  try {
    report = JSON.parse(output) as AuditReport;
  } catch {
    return { kind: 'unavailable', why: `npm audit printed no JSON report (${output.trim().slice(0, 200)})` };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const detail = report.message ?? report.error?.summary ?? report.error?.code ?? 'no report';
    return { kind: 'unavailable', why: `the registry did not serve the audit endpoint (${detail})` };
  }
  const packages = Object.entries(report.vulnerabilities ?? {})
    .filter(([, entry]) => (BLOCKING as readonly string[]).includes(entry.severity))
    .map(([name, entry]) => `${name} (${entry.severity})`);
  const blocking = BLOCKING.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  return blocking > 0 ? { kind: 'failed', counts, packages } : { kind: 'passed', counts };
}

function main(): void {
  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
  const verdict = judgeAudit(run.stdout ?? '');
  const summary = (counts: Record<string, number>): string =>
    ['critical', 'high', 'moderate', 'low'].map((level) => `${counts[level] ?? 0} ${level}`).join(', ');
  switch (verdict.kind) {
    case 'passed':
      console.log(
        `audit: no high or critical vulnerability in production dependencies (${summary(verdict.counts)})`,
      );
      break;
    case 'failed':
      console.error(
        `audit: FAILED: ${summary(verdict.counts)} in production dependencies: ${verdict.packages.join(', ')}; run \`npm audit --omit=dev\` for details`,
      );
      process.exitCode = 1;
      break;
    case 'unavailable': {
      const required = process.env.AUDIT_REQUIRED === '1';
      const message = `audit: SKIPPED, nothing was checked: ${verdict.why}; registry ${registry} as reached from this machine. Where the advisory endpoint (/-/npm/v1/security/advisories/bulk) answers, this step fails on any high or critical vulnerability.`;
      if (required) {
        console.error(`${message} AUDIT_REQUIRED=1, so this fails.`);
        process.exitCode = 1;
      } else {
        console.log(message);
      }
    }
  }
}

if (import.meta.main) main();
