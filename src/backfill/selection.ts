import type { Selection } from '../core/log-file-selection.ts';
import { UsageError } from '../core/operator-error.ts';

export {
  datePrefixes,
  isFiltered,
  isSelected,
  type Selection,
} from '../core/log-file-selection.ts';

/** A selection the operator got wrong; the message is the whole story, for one line on stderr. */
export class SelectionError extends UsageError {
  override readonly name: string = 'SelectionError';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = DATE.exec(value);
  const date = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    throw new SelectionError(`${option} "${value}" is not a date of the form YYYY-MM-DD (e.g. 2024-05-31).`);
  }
  return value;
}

export function parseSelection(options: {
  from?: string | undefined;
  to?: string | undefined;
  account?: readonly string[] | undefined;
  region?: readonly string[] | undefined;
}): Selection {
  const from = checkDate('--from', options.from);
  const to = checkDate('--to', options.to);
  if (from && to && from > to)
    throw new SelectionError(`--from ${from} is after --to ${to}: nothing would be selected.`);
  for (const account of options.account ?? []) {
    if (!/^\d{12}$/.test(account))
      throw new SelectionError(`--account "${account}" is not a 12-digit AWS account id.`);
  }
  for (const region of options.region ?? []) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
      throw new SelectionError(`--region "${region}" is not an AWS region name such as us-east-1.`);
  }
  return { from, to, accounts: options.account ?? [], regions: options.region ?? [] };
}
