import type { LogFileKeyInfo } from './classify-object-key.ts';

/** Which log files a backfill takes: dates (inclusive, from the file names), accounts, regions. */
export interface Selection {
  /** YYYY-MM-DD, inclusive; undefined: from the first file. */
  readonly from?: string | undefined;
  /** YYYY-MM-DD, inclusive; undefined: to the last file. */
  readonly to?: string | undefined;
  /** Empty: every account. */
  readonly accounts: readonly string[];
  /** Empty: every region. */
  readonly regions: readonly string[];
}

/** Whether a CloudTrail file, by what its name says, is in the selection. */
export function isSelected(info: LogFileKeyInfo, selection: Selection): boolean {
  const day = info.deliveredAt.slice(0, 10);
  if (selection.from && day < selection.from) return false;
  if (selection.to && day > selection.to) return false;
  if (selection.accounts.length > 0 && !selection.accounts.includes(info.accountId)) return false;
  if (selection.regions.length > 0 && !selection.regions.includes(info.region)) return false;
  return true;
}

export const isFiltered = (selection: Selection): boolean =>
  Boolean(selection.from || selection.to || selection.accounts.length > 0 || selection.regions.length > 0);

/**
 * The fewest `YYYY/`, `YYYY/MM/` and `YYYY/MM/DD/` prefixes that cover the selected days of the
 * given years: a whole year is one listing, a whole month one, and only partial months go day by day.
 */
export function datePrefixes(years: readonly string[], selection: Selection): string[] {
  const from = selection.from ?? '0000-01-01';
  const to = selection.to ?? '9999-12-31';
  const prefixes: string[] = [];
  for (const year of [...years].sort()) {
    if (`${year}-12-31` < from || `${year}-01-01` > to) continue;
    if (`${year}-01-01` >= from && `${year}-12-31` <= to) {
      prefixes.push(`${year}/`);
      continue;
    }
    for (let month = 1; month <= 12; month++) {
      const mm = String(month).padStart(2, '0');
      const last = new Date(Date.UTC(Number(year), month, 0)).getUTCDate();
      const first = `${year}-${mm}-01`;
      const end = `${year}-${mm}-${String(last).padStart(2, '0')}`;
      if (end < from || first > to) continue;
      if (first >= from && end <= to) {
        prefixes.push(`${year}/${mm}/`);
        continue;
      }
      for (let day = 1; day <= last; day++) {
        const dd = String(day).padStart(2, '0');
        const date = `${year}-${mm}-${dd}`;
        if (date >= from && date <= to) prefixes.push(`${year}/${mm}/${dd}/`);
      }
    }
  }
  return prefixes;
}
