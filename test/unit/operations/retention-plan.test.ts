import { describe, expect, it } from 'vitest';
import { firstKeptMonth, monthOfIndex, planRetention } from '../../../src/operations/retention-plan.ts';

describe('monthOfIndex', () => {
  it.each([
    ['cloudtrail-2024-05', 'cloudtrail', '2024-05'],
    ['cloudtrail-insights-2019-11', 'cloudtrail', '2019-11'],
    ['audit.trail-2024-12', 'audit.trail', '2024-12'],
    ['cloudtrail-undated', 'cloudtrail', undefined],
    ['cloudtrail-2024-13', 'cloudtrail', undefined],
    ['cloudtrail-2024-5', 'cloudtrail', undefined],
    ['cloudtrail-prod-2024-05', 'cloudtrail', undefined],
    ['cloudtrailx-2024-05', 'cloudtrail', undefined],
    ['auditXtrail-2024-05', 'audit.trail', undefined],
  ])('%s with prefix %s is month %s', (name, prefix, month) => {
    expect(monthOfIndex(name, prefix)).toBe(month);
  });
});

describe('firstKeptMonth', () => {
  it.each([
    ['2025-06-15T12:00:00Z', 12, '2024-06'],
    ['2025-06-01T00:00:00Z', 1, '2025-05'],
    ['2025-01-31T23:59:59Z', 1, '2024-12'],
    ['2025-03-31T10:00:00Z', 1, '2025-02'],
    ['2025-12-31T23:59:59Z', 24, '2023-12'],
    // The month is the UTC month, whatever the local time zone.
    ['2025-07-01T00:30:00+02:00', 1, '2025-05'],
  ])('at %s keeping %i months starts at %s', (now, months, month) => {
    expect(firstKeptMonth(new Date(now), months)).toBe(month);
  });
});

describe('planRetention', () => {
  const index = (name: string) => ({ name, documents: 1, bytes: 100 });
  const now = new Date('2025-06-15T12:00:00Z');

  it('deletes the month indexes entirely older than N months, oldest first, and keeps the rest', () => {
    const plan = planRetention(
      [
        'cloudtrail-2025-06',
        'cloudtrail-2024-05',
        'cloudtrail-insights-2024-05',
        'cloudtrail-2024-06',
        'cloudtrail-2019-01',
        'cloudtrail-undated',
        'cloudtrail-prod-2019-01',
      ].map(index),
      'cloudtrail',
      12,
      now,
    );
    expect(plan.firstKeptMonth).toBe('2024-06');
    expect(plan.delete.map((entry) => entry.name)).toEqual([
      'cloudtrail-2019-01',
      'cloudtrail-2024-05',
      'cloudtrail-insights-2024-05',
    ]);
    expect(plan.keep.map((entry) => entry.name)).toEqual(['cloudtrail-2024-06', 'cloudtrail-2025-06']);
    expect(plan.withoutMonth.map((entry) => entry.name)).toEqual([
      'cloudtrail-undated',
      'cloudtrail-prod-2019-01',
    ]);
  });

  it('never deletes the current month', () => {
    expect(planRetention([index('cloudtrail-2025-06')], 'cloudtrail', 1, now).delete).toEqual([]);
  });
});
