import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstant } from '../../../src/core/format-duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5, '0 s'],
    [44.6, '45 s'],
    [60, '1 min'],
    [250, '4 min 10 s'],
    [3600, '1 h'],
    [11_520, '3 h 12 min'],
    [86_400, '1 d'],
    [187_200, '2 d 4 h'],
  ])('says %d s as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatInstant', () => {
  it('gives UTC to the second', () => {
    expect(formatInstant(new Date('2024-05-31T10:00:00.123Z'))).toBe('2024-05-31T10:00:00Z');
  });
});
