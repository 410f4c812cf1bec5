/** An index as `_cat/indices` describes it. */
export interface IndexSummary {
  readonly name: string;
  /** Unknown for a closed index. */
  readonly documents: number | undefined;
  readonly bytes: number | undefined;
}

export interface MonthIndex extends IndexSummary {
  /** `YYYY-MM`, from the name. */
  readonly month: string;
}

export interface RetentionPlan {
  /** The oldest month kept: month indexes before it are deleted. */
  readonly firstKeptMonth: string;
  /** Oldest first. */
  readonly delete: readonly MonthIndex[];
  readonly keep: readonly MonthIndex[];
  /** Indexes under the prefix with no month in their name (`<prefix>-undated`, or anything else): never deleted. */
  readonly withoutMonth: readonly IndexSummary[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `YYYY-MM` of `<prefix>-YYYY-MM` or `<prefix>-insights-YYYY-MM`; undefined for any other name. */
export function monthOfIndex(name: string, prefix: string): string | undefined {
  const match = new RegExp(`^${escapeRegExp(prefix)}-(?:insights-)?(\\d{4})-(\\d{2})$`).exec(name);
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? `${match[1]}-${match[2]}` : undefined;
}

function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthText(number: number): string {
  return `${String(Math.floor(number / 12)).padStart(4, '0')}-${String((number % 12) + 1).padStart(2, '0')}`;
}

/**
 * The oldest month to keep with `--keep-months N` at `now` (UTC): the month N months before the
 * current one. A month is deleted only once its newest possible event is more than N months old, so
 * nothing younger than N months is ever deleted (N = 12 in June 2025 keeps June 2024 onwards).
 */
export function firstKeptMonth(now: Date, keepMonths: number): string {
  return monthText(now.getUTCFullYear() * 12 + now.getUTCMonth() - keepMonths);
}

/** Which indexes of a prefix `retention --keep-months N` deletes, judged by the month in their names. */
export function planRetention(
  indexes: readonly IndexSummary[],
  prefix: string,
  keepMonths: number,
  now: Date,
): RetentionPlan {
  const first = firstKeptMonth(now, keepMonths);
  const withMonth: MonthIndex[] = [];
  const withoutMonth: IndexSummary[] = [];
  for (const index of indexes) {
    const month = monthOfIndex(index.name, prefix);
    if (month) withMonth.push({ ...index, month });
    else withoutMonth.push(index);
  }
  withMonth.sort((a, b) => a.month.localeCompare(b.month) || a.name.localeCompare(b.name));
  return {
    firstKeptMonth: first,
    delete: withMonth.filter((index) => monthNumber(index.month) < monthNumber(first)),
    keep: withMonth.filter((index) => monthNumber(index.month) >= monthNumber(first)),
    withoutMonth,
  };
}
