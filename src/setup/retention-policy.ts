import { createHash } from 'node:crypto';

/** An Index State Management policy as `PUT _plugins/_ism/policies/<id>` takes it. */
export interface RetentionPolicy {
  readonly id: string;
  readonly days: number;
  /** The month indexes it manages; never `<prefix>-undated`, whose age says nothing about its events. */
  readonly indexPatterns: readonly string[];
  readonly checksum: string;
  readonly body: { readonly policy: Record<string, unknown> };
}

const CHECKSUM = /\[checksum ([0-9a-f]{16})\]/;

/** The checksum `setup` wrote into a policy's description, if it wrote one. */
export function policyChecksum(description: unknown): string | undefined {
  return typeof description === 'string' ? CHECKSUM.exec(description)?.[1] : undefined;
}

/**
 * The retention policy of a prefix: indexes are deleted `days` after their creation. The ISM
 * template attaches it to every new month index (`<prefix>-2*`, `<prefix>-insights-2*`): those
 * patterns leave out another deployment's `<prefix>-something-*` indexes, which `<prefix>-*` would
 * catch. The description carries a checksum of the rest, so `setup` can tell an unchanged policy
 * without comparing the fields ISM adds when it stores one (retry defaults, timestamps).
 */
export function buildRetentionPolicy(prefix: string, days: number): RetentionPolicy {
  const indexPatterns = [`${prefix}-2*`, `${prefix}-insights-2*`];
  const policy = {
    default_state: 'keep',
    states: [
      {
        name: 'keep',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: indexPatterns, priority: 100 }],
  };
  const checksum = createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 16);
  const description =
    `Deletes the ${prefix} CloudTrail month indexes ${days} days after their creation. ` +
    `Installed by cloudtrail-indexer setup from RETENTION_DAYS; changes made here are overwritten [checksum ${checksum}].`;
  return {
    id: `${prefix}-retention`,
    days,
    indexPatterns,
    checksum,
    body: { policy: { description, ...policy } },
  };
}
