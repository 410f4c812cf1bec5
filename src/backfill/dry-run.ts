import { classifyObjectKey, LogFileKind } from '../core/classify-object-key.ts';

export interface PlannedFile {
  readonly key: string;
  readonly size: number;
}

export interface PlanGroup {
  readonly account: string;
  readonly region: string;
  /** YYYY-MM by the file name's delivery date; `-` for files whose names say nothing. */
  readonly month: string;
  files: number;
  bytes: number;
  firstDay: string;
  lastDay: string;
}

/**
 * What a backfill would load, per account, region and month (file count, size, span of days),
 * counted as the listing streams by: it holds one entry per group, never the list of files.
 */
export class PlanSummary {
  readonly #groups = new Map<string, PlanGroup>();

  add(file: PlannedFile): void {
    const info = classifyObjectKey(file.key);
    const named = info.kind === LogFileKind.CloudTrail || info.kind === LogFileKind.Insight;
    const account = named ? info.accountId : '(unnamed)';
    const region = named
      ? `${info.region}${info.kind === LogFileKind.Insight ? ' (insights)' : ''}`
      : '(unnamed)';
    const day = named ? info.deliveredAt.slice(0, 10) : '-';
    const month = named ? day.slice(0, 7) : '-';
    const id = `${account}/${region}/${month}`;
    let group = this.#groups.get(id);
    if (!group) {
      group = { account, region, month, files: 0, bytes: 0, firstDay: day, lastDay: day };
      this.#groups.set(id, group);
    }
    group.files++;
    group.bytes += file.size;
    if (day < group.firstDay) group.firstDay = day;
    if (day > group.lastDay) group.lastDay = day;
  }

  get files(): number {
    let files = 0;
    for (const group of this.#groups.values()) files += group.files;
    return files;
  }

  groups(): PlanGroup[] {
    const order = (g: PlanGroup): string => `${g.account}/${g.region}/${g.month}`;
    return [...this.#groups.values()].sort((a, b) => order(a).localeCompare(order(b)));
  }
}

export function summarizePlan(files: Iterable<PlannedFile>): PlanGroup[] {
  const summary = new PlanSummary();
  for (const file of files) summary.add(file);
  return summary.groups();
}

export function formatPlan(groups: readonly PlanGroup[]): string {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const lines = groups.map(
    (g) =>
      `  ${g.account}  ${g.region.padEnd(24)} ${g.month.padEnd(7)} ${String(g.files).padStart(7)} files  ${mb(g.bytes).padStart(10)}  ${g.firstDay} .. ${g.lastDay}`,
  );
  const files = groups.reduce((n, g) => n + g.files, 0);
  const bytes = groups.reduce((n, g) => n + g.bytes, 0);
  return `Would load ${files} files (${mb(bytes)}):\n${lines.join('\n')}`;
}
