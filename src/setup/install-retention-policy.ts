import type { Client } from '@opensearch-project/opensearch';
import type { TemplateChange } from '../sinks/opensearch/index-templates.ts';
import { RequestFailure, statusOf } from '../sinks/opensearch/request-failure.ts';
import { policyChecksum, type RetentionPolicy } from './retention-policy.ts';

export interface RetentionPolicyResult {
  readonly change: TemplateChange;
  /** Indexes already managed by an older version of the policy, moved to the new one (ISM keeps old versions otherwise). */
  readonly switchedIndexes: number;
}

const ISM = '/_plugins/_ism';
/** change_policy takes index names in the path; batches keep the URL short. */
const SWITCH_BATCH = 50;

/** OpenSearch answers 400 "no handler found for uri" for the endpoints of a plugin it does not have. */
function pluginMissing(error: unknown): boolean {
  const body = (error as { meta?: { body?: unknown } }).meta?.body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return statusOf(error) === 400 && text.includes('no handler found');
}

function failure(what: string, endpoint: string, error: unknown): RequestFailure {
  return pluginMissing(error)
    ? new RequestFailure(
        what,
        endpoint,
        error,
        'ISM plugin not installed: the cluster has no Index State Management; delete old months with `cloudtrail-indexer retention --keep-months N` instead',
      )
    : new RequestFailure(what, endpoint, error);
}

interface StoredPolicy {
  readonly _seq_no?: number;
  readonly _primary_term?: number;
  readonly policy?: { readonly description?: unknown };
}

/**
 * Installs the retention policy idempotently: an unchanged policy (same checksum) is left alone; a
 * changed one is replaced (optimistic concurrency on the version read) and the indexes it already
 * manages are switched to the new version, since ISM would otherwise keep running the old one.
 */
export async function installRetentionPolicy(
  client: Client,
  endpoint: string,
  policy: RetentionPolicy,
): Promise<RetentionPolicyResult> {
  const path = `${ISM}/policies/${encodeURIComponent(policy.id)}`;
  let stored: StoredPolicy | undefined;
  try {
    const response = await client.transport.request({ method: 'GET', path }, { ignore: [404] });
    stored = response.statusCode === 404 ? undefined : (response.body as StoredPolicy);
  } catch (error) {
    throw failure(`Reading the ISM policy ${policy.id}`, endpoint, error);
  }
  if (stored && policyChecksum(stored.policy?.description) === policy.checksum) {
    return { change: 'unchanged', switchedIndexes: 0 };
  }
  const querystring =
    stored?._seq_no !== undefined && stored._primary_term !== undefined
      ? { if_seq_no: stored._seq_no, if_primary_term: stored._primary_term }
      : {};
  try {
    await client.transport.request({ method: 'PUT', path, querystring, body: policy.body });
  } catch (error) {
    throw failure(`Writing the ISM policy ${policy.id}`, endpoint, error);
  }
  if (!stored) return { change: 'created', switchedIndexes: 0 };
  return { change: 'updated', switchedIndexes: await switchManagedIndexes(client, endpoint, policy) };
}

async function switchManagedIndexes(
  client: Client,
  endpoint: string,
  policy: RetentionPolicy,
): Promise<number> {
  let managed: string[];
  try {
    const { body } = await client.transport.request({
      method: 'GET',
      path: `${ISM}/explain/${policy.indexPatterns.join(',')}`,
    });
    managed = Object.entries(body as Record<string, unknown>)
      .filter(([, entry]) => {
        const explained = entry as Record<string, unknown> | null;
        return (
          typeof explained === 'object' &&
          explained !== null &&
          (explained.policy_id ?? explained['index.plugins.index_state_management.policy_id']) === policy.id
        );
      })
      .map(([index]) => index);
  } catch (error) {
    throw failure(`Listing the indexes managed by the ISM policy ${policy.id}`, endpoint, error);
  }
  let switched = 0;
  for (let start = 0; start < managed.length; start += SWITCH_BATCH) {
    const names = managed.slice(start, start + SWITCH_BATCH);
    try {
      const { body } = await client.transport.request({
        method: 'POST',
        path: `${ISM}/change_policy/${names.join(',')}`,
        body: { policy_id: policy.id },
      });
      switched += Number((body as { updated_indices?: unknown }).updated_indices ?? 0);
    } catch (error) {
      throw failure(`Switching ${names.length} indexes to the new ISM policy ${policy.id}`, endpoint, error);
    }
  }
  return switched;
}
