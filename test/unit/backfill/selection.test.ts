import { describe, expect, it } from 'vitest';
import { datePrefixes, isSelected, parseSelection, SelectionError } from '../../../src/backfill/selection.ts';

describe('parseSelection', () => {
  it.each([
    [{ from: '2024-02-30' }, '--from "2024-02-30" is not a date of the form YYYY-MM-DD'],
    [{ to: '24-01-01' }, '--to "24-01-01" is not a date'],
    [{ from: '2024-06-01', to: '2024-05-01' }, '--from 2024-06-01 is after --to 2024-05-01'],
    [{ account: ['12345'] }, '--account "12345" is not a 12-digit AWS account id'],
    [{ region: ['Mars'] }, '--region "Mars" is not an AWS region name'],
  ])('rejects %j with a sentence naming the option', (options, message) => {
    expect(() => parseSelection(options)).toThrow(SelectionError);
    expect(() => parseSelection(options)).toThrow(message);
  });

  it('accepts a full selection', () => {
    expect(
      parseSelection({
        from: '2024-05-01',
        to: '2024-05-31',
        account: ['111122223333'],
        region: ['eu-west-1'],
      }),
    ).toEqual({
      from: '2024-05-01',
      to: '2024-05-31',
      accounts: ['111122223333'],
      regions: ['eu-west-1'],
    });
  });
});

describe('datePrefixes', () => {
  it.each([
    ['everything: one prefix per year', {}, ['2023', '2024'], ['2023/', '2024/']],
    ['one day', { from: '2024-05-31', to: '2024-05-31' }, ['2024'], ['2024/05/31/']],
    [
      'whole months in the middle, days at the partial edges',
      { from: '2024-01-30', to: '2024-04-02' },
      ['2024'],
      ['2024/01/30/', '2024/01/31/', '2024/02/', '2024/03/', '2024/04/01/', '2024/04/02/'],
    ],
    [
      'a whole year inside a longer range',
      { from: '2022-12-31', to: '2024-01-01' },
      ['2022', '2023', '2024'],
      ['2022/12/31/', '2023/', '2024/01/01/'],
    ],
    ['leap day month boundaries', { from: '2024-02-01', to: '2024-02-29' }, ['2024'], ['2024/02/']],
    [
      'years outside the range are not listed',
      { from: '2024-01-01' },
      ['2019', '2024', '2025'],
      ['2024/', '2025/'],
    ],
  ])('%s', (_what, range, years, expected) => {
    expect(datePrefixes(years, { accounts: [], regions: [], ...range })).toEqual(expected);
  });
});

describe('isSelected', () => {
  const info = {
    kind: 'cloudtrail',
    accountId: '111122223333',
    region: 'us-east-1',
    deliveredAt: '2024-05-31T23:55:00Z',
    organizationId: undefined,
  } as const;
  it.each([
    [{}, true],
    [{ from: '2024-05-31', to: '2024-05-31' }, true],
    [{ from: '2024-06-01' }, false],
    [{ accounts: ['999999999999'] }, false],
    [{ regions: ['us-east-1'] }, true],
  ])('%j → %s', (selection, expected) => {
    expect(isSelected(info, { accounts: [], regions: [], ...selection })).toBe(expected);
  });
});
