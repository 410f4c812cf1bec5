import { describe, expect, it } from 'vitest';
import { judgeAudit } from '../../../scripts/audit-production.ts';

const report = (counts: Record<string, number>, vulnerabilities: Record<string, { severity: string }> = {}) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      Object.entries(vulnerabilities).map(([name, entry]) => [name, { ...entry, via: [] }]),
    ),
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts } },
  });

describe('judgeAudit', () => {
  it('passes with moderate and low findings only', () => {
    expect(judgeAudit(report({ moderate: 2, low: 1 }, { a: { severity: 'moderate' } }))).toMatchObject({
      kind: 'passed',
    });
  });

  it('fails on high or critical, naming the packages', () => {
    expect(
      judgeAudit(report({ high: 1, critical: 1 }, { a: { severity: 'high' }, b: { severity: 'critical' } })),
    ).toEqual({
      kind: 'failed',
      counts: expect.objectContaining({ high: 1, critical: 1 }),
      packages: ['a (high)', 'b (critical)'],
    });
  });

  it('says the audit could not run when the registry refuses the advisory endpoint', () => {
    const refused = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    });
    expect(judgeAudit(refused)).toEqual({
      kind: 'unavailable',
      why: expect.stringContaining('405 Method Not Allowed'),
    });
    expect(judgeAudit('npm error network')).toMatchObject({ kind: 'unavailable' });
  });
});
