import type { Client } from '@opensearch-project/opensearch';
import { OperatorError } from '../../core/operator-error.ts';
import { describeCause, type OpenSearchErrorCause } from './classify-failure.ts';

/** What the start-up check learned about the cluster; decides the mapping mode. */
export interface ClusterInfo {
  /** `opensearch`, `elasticsearch` (no distribution field), or `serverless` for OpenSearch Serverless. */
  readonly distribution: string;
  /** `2.19.5`; `unknown` on OpenSearch Serverless, which does not expose one. */
  readonly version: string;
}

/** The cluster could not be reached or refused us at start-up. */
export class OpenSearchUnreachableError extends OperatorError {
  override readonly name: string = 'OpenSearchUnreachableError';
  readonly endpoint: string;

  constructor(endpoint: string, cause: unknown) {
    super(`Cannot use OpenSearch at ${endpoint}: ${explain(cause)}`, { cause });
    this.endpoint = endpoint;
  }
}

function explain(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const meta = (cause as { meta?: { statusCode?: number; body?: unknown } }).meta;
  const status = meta?.statusCode;
  if (status === 401 || status === 403) {
    return `HTTP ${status}: the credentials were refused (check OPENSEARCH_AUTH and its settings, and the cluster's access policy)`;
  }
  if (status !== undefined && status !== null) {
    const body = meta?.body as { error?: unknown } | string | undefined;
    const error = typeof body === 'object' && body !== null ? body.error : body;
    const detail =
      error === undefined || error === '' ? cause.message : describeCause(error as OpenSearchErrorCause);
    return `HTTP ${status}: ${detail}`;
  }
  return `${cause.name}: ${cause.message} (check OPENSEARCH_URL, the network path and OPENSEARCH_TLS_VERIFY)`;
}

/**
 * Start-up check: the cluster answers and tells its version. OpenSearch Serverless has no `GET /`,
 * so there the check lists indexes instead and the version stays unknown.
 */
export async function readClusterInfo(
  client: Client,
  endpoint: string,
  service: 'es' | 'aoss' | undefined,
): Promise<ClusterInfo> {
  try {
    if (service === 'aoss') {
      await client.cat.indices({ format: 'json' });
      return { distribution: 'serverless', version: 'unknown' };
    }
    const { body } = await client.info();
    const version = body.version as { number?: string; distribution?: string } | undefined;
    if (!version?.number) throw new Error('the response to GET / holds no version number');
    return { distribution: version.distribution ?? 'elasticsearch', version: version.number };
  } catch (error) {
    throw new OpenSearchUnreachableError(endpoint, error);
  }
}

/** `true` when `version` is at least `minimum` (both `major.minor.patch`). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (text: string): number[] =>
    text.split(/[.-]/, 3).map((part) => Number.parseInt(part, 10) || 0);
  const have = parse(version);
  const need = parse(minimum);
  for (let i = 0; i < 3; i += 1) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}
