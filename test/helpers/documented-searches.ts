/**
 * The searches users make, as README, docs/operations.md and the shipped dashboard
 * (dashboards/cloudtrail-overview.ndjson) document them: by instance id, by principal ARN, by error
 * code, full text in the raw JSON, and the dashboard's queries and aggregations. The mapping may change
 * only as long as every one of them still answers: the integration test runs them against the corpus,
 * and the mapping-cost benchmark against each mapping it measures.
 */
import { DASHBOARD_AGGREGATED_FIELDS } from '../../src/sinks/opensearch/index-templates.ts';

/** Values taken from the indexed events themselves, so that every search has something to find. */
export interface SearchValues {
  readonly instanceId: string;
  readonly principalArn: string;
  readonly errorCode: string;
  readonly bucketName: string;
}

export interface DocumentedSearch {
  readonly name: string;
  /** A `_search` body (`size: 0`); aggregations are answered when they return buckets. */
  readonly body: Record<string, unknown>;
  readonly kind: 'query' | 'aggregation';
}

/** Dashboards sends a Lucene query as `query_string` with `analyze_wildcard` (its default options). */
const lucene = (query: string): Record<string, unknown> => ({
  size: 0,
  track_total_hits: true,
  query: { query_string: { query, analyze_wildcard: true } },
});

const terms = (field: string): Record<string, unknown> => ({
  size: 0,
  aggs: { answer: { terms: { field, size: 20 } } },
});

export function documentedSearches(values: SearchValues): DocumentedSearch[] {
  const quoted = (value: string): string => JSON.stringify(value);
  return [
    // README "What a document looks like": an instance whatever API returned it.
    {
      name: 'instance id in the flattened map',
      kind: 'query',
      body: lucene(`responseElements_flattened.instanceId:${quoted(values.instanceId)}`),
    },
    { name: 'instance id, no field named', kind: 'query', body: lucene(quoted(values.instanceId)) },
    {
      name: 'principal ARN',
      kind: 'query',
      body: lucene(`userIdentity.arn:${quoted(values.principalArn)}`),
    },
    { name: 'error code', kind: 'query', body: lucene(`errorCode:${values.errorCode}`) },
    // docs/operations.md "Field count and index patterns": a leaf of a flattened map, and full text in `_raw`.
    {
      name: 'bucket in the flattened map',
      kind: 'query',
      body: lucene(`requestParameters_flattened.bucketName:${quoted(values.bucketName)}`),
    },
    {
      name: 'full text in the raw JSON (phrase)',
      kind: 'query',
      body: lucene(`requestParameters_raw:${quoted(values.bucketName)}`),
    },
    // The dashboard's saved search and panel queries.
    {
      name: 'saved search: access denied',
      kind: 'query',
      body: lucene('errorCode:AccessDenied* OR errorCode:*UnauthorizedOperation'),
    },
    { name: 'panel: errors', kind: 'query', body: lucene('_exists_:errorCode') },
    { name: 'panel: console sign-ins', kind: 'query', body: lucene('eventName:ConsoleLogin') },
    {
      name: 'panel: sign-in outcome',
      kind: 'query',
      body: lucene('responseElements_flattened.ConsoleLogin:Success'),
    },
    {
      name: 'panel: root activity',
      kind: 'query',
      body: lucene(
        'userIdentity.type:Root AND NOT _exists_:userIdentity.invokedBy AND NOT eventType:AwsServiceEvent',
      ),
    },
    // The dashboard's aggregations.
    {
      name: 'panel: events over time',
      kind: 'aggregation',
      body: {
        size: 0,
        aggs: { answer: { date_histogram: { field: 'eventTime', calendar_interval: 'day' } } },
      },
    },
    ...[...DASHBOARD_AGGREGATED_FIELDS]
      .filter((field) => field !== 'eventTime')
      .map(
        (field): DocumentedSearch => ({
          name: `panel: terms of ${field}`,
          kind: 'aggregation',
          body: terms(field),
        }),
      ),
  ];
}

interface EventBody {
  readonly errorCode?: unknown;
  readonly userIdentity?: { readonly arn?: unknown };
  readonly responseElements_flattened?: { readonly instanceId?: unknown };
  readonly requestParameters_flattened?: { readonly bucketName?: unknown };
}

const firstString = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;

/** Collects search values from documents as the product writes them; complete once each was seen. */
export class SearchValuePicker {
  private readonly found: Partial<Record<keyof SearchValues, string>> = {};

  /** Looks at one document body (the JSON the product sends). */
  add(body: string): void {
    if (this.complete()) return;
    const event = JSON.parse(body) as EventBody;
    this.found.instanceId ??= firstString(event.responseElements_flattened?.instanceId);
    this.found.principalArn ??= firstString(event.userIdentity?.arn);
    this.found.errorCode ??= firstString(event.errorCode);
    this.found.bucketName ??= firstString(event.requestParameters_flattened?.bucketName);
  }

  complete(): boolean {
    const { instanceId, principalArn, errorCode, bucketName } = this.found;
    return Boolean(instanceId && principalArn && errorCode && bucketName);
  }

  values(): SearchValues {
    if (!this.complete())
      throw new Error(`the documents lack a value for a documented search: ${JSON.stringify(this.found)}`);
    return this.found as SearchValues;
  }
}

export interface SearchAnswer {
  readonly name: string;
  readonly kind: DocumentedSearch['kind'];
  readonly status: number;
  /** Hits for a query, buckets for an aggregation. */
  readonly found: number;
  readonly error?: string;
}

/** Runs every documented search against `url`/`pattern` (plain HTTP, as Dashboards would send them). */
export async function runDocumentedSearches(
  url: string,
  pattern: string,
  searches: readonly DocumentedSearch[],
): Promise<SearchAnswer[]> {
  const answers: SearchAnswer[] = [];
  for (const search of searches) {
    const response = await fetch(`${url}/${pattern}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(search.body),
    });
    const body = (await response.json()) as {
      hits?: { total?: { value?: number } };
      aggregations?: { answer?: { buckets?: unknown[] } };
      error?: { root_cause?: Array<{ reason?: string }>; reason?: string };
      _shards?: { failures?: Array<{ reason?: { reason?: string } }> };
    };
    const shardFailure = body._shards?.failures?.[0]?.reason?.reason;
    const error = body.error
      ? (body.error.root_cause?.[0]?.reason ?? body.error.reason ?? 'error')
      : shardFailure;
    const found =
      search.kind === 'aggregation'
        ? (body.aggregations?.answer?.buckets?.length ?? 0)
        : (body.hits?.total?.value ?? 0);
    answers.push({
      name: search.name,
      kind: search.kind,
      status: response.status,
      found,
      ...(error ? { error } : {}),
    });
  }
  return answers;
}

/** Answered: accepted and run by the cluster (whether it found anything depends on the events). */
export const answered = (answer: SearchAnswer): boolean =>
  answer.status === 200 && answer.error === undefined;
