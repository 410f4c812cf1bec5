import type { Client } from '@opensearch-project/opensearch';
import type { CommandIo } from '../core/command-io.ts';
import { ExitCode, UsageError } from '../core/operator-error.ts';
import { RequestFailure, statusOf } from '../sinks/opensearch/request-failure.ts';
import { listIndexes } from './list-indexes.ts';
import { type MonthIndex, planRetention } from './retention-plan.ts';

export interface RetentionFlags {
  readonly keepMonths: string;
  readonly dryRun?: boolean;
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '? bytes';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function documentCount(count: number): string {
  return `${count.toLocaleString('en-US')} document${count === 1 ? '' : 's'}`;
}

function totals(indexes: readonly MonthIndex[]): string {
  const documents = indexes.reduce((sum, index) => sum + (index.documents ?? 0), 0);
  const bytes = indexes.reduce((sum, index) => sum + (index.bytes ?? 0), 0);
  return `${documentCount(documents)}, ${formatBytes(bytes)}`;
}

function describe(index: MonthIndex): string {
  const documents = index.documents === undefined ? 'closed' : documentCount(index.documents);
  return `${index.name}  (${documents}, ${formatBytes(index.bytes)})`;
}

export async function runRetention(
  flags: RetentionFlags,
  client: Client,
  endpoint: string,
  prefix: string,
  now: Date,
  io: CommandIo,
): Promise<number> {
  const keepMonths = Number(flags.keepMonths);
  if (!/^\d+$/.test(flags.keepMonths.trim()) || keepMonths < 1 || keepMonths > 1200) {
    throw new UsageError(
      `--keep-months must be a whole number from 1 to 1200 (got ${JSON.stringify(flags.keepMonths)}).`,
    );
  }
  const out = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  const plan = planRetention(await listIndexes(client, endpoint, `${prefix}-*`), prefix, keepMonths, now);
  out(
    `${prefix}-* at ${endpoint}: keeping ${keepMonths} months before the current one, from ${plan.firstKeptMonth} on.`,
  );
  if (flags.dryRun) for (const index of plan.delete) out(`  would delete  ${describe(index)}`);
  if (plan.keep.length > 0) {
    out(`  keep  ${plan.keep.length} month indexes, ${plan.keep[0]?.month} to ${plan.keep.at(-1)?.month}`);
  }
  for (const index of plan.withoutMonth) out(`  keep  ${index.name}  (no month in its name)`);
  if (plan.delete.length === 0) {
    out(`Nothing to delete: no month index is older than ${plan.firstKeptMonth}.`);
    return ExitCode.Ok;
  }
  if (flags.dryRun) {
    out(
      `Dry run: ${plan.delete.length} indexes (${totals(plan.delete)}) would be deleted; nothing was deleted.`,
    );
    return ExitCode.Ok;
  }
  const deleted: MonthIndex[] = [];
  const failures: string[] = [];
  for (const index of plan.delete) {
    try {
      await client.indices.delete({ index: index.name });
      deleted.push(index);
      out(`  deleted  ${describe(index)}`);
    } catch (error) {
      if (statusOf(error) === 404) {
        // Gone meanwhile (another run, ISM): what we wanted.
        deleted.push(index);
        out(`  already gone  ${index.name}`);
      } else {
        failures.push(new RequestFailure(`Deleting the index ${index.name}`, endpoint, error).message);
        out(`  FAILED  ${index.name}`);
      }
    }
  }
  out(`Deleted ${deleted.length} indexes (${totals(deleted)}).`);
  for (const failure of failures) io.stderr.write(`error: ${failure}.\n`);
  return failures.length === 0 ? ExitCode.Ok : ExitCode.Failed;
}
