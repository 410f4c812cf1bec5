import type { Client } from '@opensearch-project/opensearch';
import { RequestFailure } from '../sinks/opensearch/request-failure.ts';
import type { IndexSummary } from './retention-plan.ts';

function count(value: unknown): number | undefined {
  const number = typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** The indexes matching a pattern, open and closed, with their document counts and sizes. */
export async function listIndexes(
  client: Client,
  endpoint: string,
  pattern: string,
): Promise<IndexSummary[]> {
  try {
    const { body } = await client.cat.indices({
      index: pattern,
      format: 'json',
      bytes: 'b',
      h: ['index', 'docs.count', 'store.size'],
      expand_wildcards: 'all',
    });
    return (body as Array<Record<string, unknown>>).map((row) => ({
      name: String(row.index),
      documents: count(row['docs.count']),
      bytes: count(row['store.size']),
    }));
  } catch (error) {
    throw new RequestFailure(`Listing the indexes ${pattern}`, endpoint, error);
  }
}
