import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the table printed at the end of the suite. */
export interface FaultResult {
  readonly fault: string;
  readonly files: number;
  readonly eventsExpected: number;
  readonly eventsIndexed: number;
  readonly duplicates: number;
  readonly messagesInDlq: number;
  readonly dlqExpected: number;
  readonly seconds: number;
  /** Indexed eventIDs equal to the uploaded ones, no duplicate, the DLQ holding exactly the poison. */
  readonly ok: boolean;
}

const resultsFile = (runDir: string): string => join(runDir, 'results.jsonl');

export function recordResult(runDir: string, result: FaultResult): void {
  appendFileSync(resultsFile(runDir), `${JSON.stringify(result)}\n`);
}

export function readResults(runDir: string): FaultResult[] {
  const file = resultsFile(runDir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as FaultResult);
}

/** A Markdown table, so it can be pasted into notes as it is. */
export function formatResults(results: readonly FaultResult[]): string {
  const header = [
    'fault',
    'files',
    'events expected',
    'events indexed',
    'duplicates',
    'messages in DLQ',
    'DLQ expected',
    'seconds',
    'result',
  ];
  const rows = results.map((r) => [
    r.fault,
    String(r.files),
    String(r.eventsExpected),
    String(r.eventsIndexed),
    String(r.duplicates),
    String(r.messagesInDlq),
    String(r.dlqExpected),
    String(r.seconds),
    r.ok ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
