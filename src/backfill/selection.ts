import { z } from 'zod';
import { ACCOUNT_ID, REGION_NAME } from '../core/classify-object-key.ts';
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

/** A calendar date (2024-02-30 is none), named by its option when it is not one. */
const isoDate = (option: string) =>
  z.iso.date({
    error: (issue) =>
      `${option} ${JSON.stringify(issue.input)} is not a date of the form YYYY-MM-DD (e.g. 2024-05-31).`,
  });
const accountId = z.string().regex(ACCOUNT_ID, {
  error: (issue) => `--account ${JSON.stringify(issue.input)} is not a 12-digit AWS account id.`,
});
const regionName = z.string().regex(REGION_NAME, {
  error: (issue) => `--region ${JSON.stringify(issue.input)} is not an AWS region name such as us-east-1.`,
});
const selectionOptions = z.object({
  from: isoDate('--from').optional(),
  to: isoDate('--to').optional(),
  account: z.array(accountId).default([]),
  region: z.array(regionName).default([]),
});

export function parseSelection(options: {
  from?: string | undefined;
  to?: string | undefined;
  account?: readonly string[] | undefined;
  region?: readonly string[] | undefined;
}): Selection {
  const parsed = selectionOptions.safeParse(options);
  // The first problem is the sentence: the options are checked in the order they are listed.
  if (!parsed.success) throw new SelectionError(parsed.error.issues[0]?.message ?? 'invalid selection');
  const { from, to, account, region } = parsed.data;
  if (from && to && from > to)
    throw new SelectionError(`--from ${from} is after --to ${to}: nothing would be selected.`);
  return { from, to, accounts: account, regions: region };
}
