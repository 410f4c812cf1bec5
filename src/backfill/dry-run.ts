import { classifyObjectKey, LogFileKind } from '../sources/classify-object-key.ts';

export interface PlannedFile {
  readonly key: string;
  readonly size: number;
}

export interface PlanGroup {
  readonly account: string;
  readonly region: string;
  files: number;
  bytes: number;
  firstDay: string;
  lastDay: string;
}

/** What a backfill would load, per account and region: file count, size and the span of days. */
export function summarizePlan(files: readonly PlannedFile[]): PlanGroup[] {
  const groups = new Map<string, PlanGroup>();
  for (const file of files) {
    const info = classifyObjectKey(file.key);
    const named = info.kind === LogFileKind.CloudTrail || info.kind === LogFileKind.Insight;
    const account = named ? info.accountId : '(unnamed)';
    const region = named
      ? `${info.region}${info.kind === LogFileKind.Insight ? ' (insights)' : ''}`
      : '(unnamed)';
    const day = named ? info.deliveredAt.slice(0, 10) : '-';
    const id = `${account}/${region}`;
    const group = groups.get(id) ?? { account, region, files: 0, bytes: 0, firstDay: day, lastDay: day };
    group.files++;
    group.bytes += file.size;
    if (day < group.firstDay) group.firstDay = day;
    if (day > group.lastDay) group.lastDay = day;
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) =>
    `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`),
  );
}

export function formatPlan(groups: readonly PlanGroup[]): string {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const lines = groups.map(
    (g) =>
      `  ${g.account}  ${g.region.padEnd(24)} ${String(g.files).padStart(7)} files  ${mb(g.bytes).padStart(10)}  ${g.firstDay} .. ${g.lastDay}`,
  );
  const files = groups.reduce((n, g) => n + g.files, 0);
  const bytes = groups.reduce((n, g) => n + g.bytes, 0);
  return `Would load ${files} files (${mb(bytes)}):\n${lines.join('\n')}`;
}
