/**
 * The one place that decides what a failed bulk item or bulk request means. Every failure ends
 * in exactly one action, so nothing falls through to a silent drop:
 * - retry: the cluster is busy, unavailable or blocked; the same request may succeed later;
 * - split: the request body was too large; halves may pass;
 * - repair: the document does not fit the index mapping; a repaired copy will;
 * - compare: a document with this `_id` exists already (409 to a `create`); it is compared with the
 *   one sent: the same content is a redelivery (accepted), other content a conflict (reported);
 * - reject: retrying cannot help; the document is reported as a failure of its file.
 */

export const FailureAction = {
  Retry: 'retry',
  Split: 'split',
  Repair: 'repair',
  Compare: 'compare',
  Reject: 'reject',
} as const;
export type FailureAction = (typeof FailureAction)[keyof typeof FailureAction];

/** Low-cardinality cause, used to pick the backoff, to label metrics and to tell the caller about pressure. */
export const FailureKind = {
  Throttled: 'throttled',
  Unavailable: 'unavailable',
  Blocked: 'blocked',
  MissingIndex: 'missing-index',
  TooLarge: 'too-large',
  Mapping: 'mapping',
  Structure: 'structure',
  Conflict: 'conflict',
  Refused: 'refused',
  Invalid: 'invalid',
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export interface FailureClass {
  readonly action: FailureAction;
  readonly kind: FailureKind;
  /** `type: reason` as OpenSearch said it, for logs and for the caller. */
  readonly reason: string;
}

/** The `error` object of a bulk response item (and of an error response body). */
export interface OpenSearchErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
  readonly caused_by?: OpenSearchErrorCause;
}

const THROTTLING_TYPES = new Set([
  'es_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
  'too_many_requests',
]);

const MAPPING_TYPES = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'illegal_argument_exception',
  'max_bytes_length_exceeded_exception',
]);

/**
 * A shard or node of a multi-node cluster that is moving or gone for a moment: a node left (killed,
 * restarted, partitioned), a replica is being promoted, a primary is relocating. OpenSearch retries
 * most of these inside the write itself (until its 1-minute timeout), but hands some back, and not
 * always with a 5xx: `shard_not_found_exception` is a 404 (the shard left the node the coordinating
 * node asked), the `illegal_index_shard_state_exception` family (a shard closed, not started, no
 * longer in primary mode after a relocation handed it off) has been 404 or 500 across versions.
 * Each is a state of the cluster, never of the document: the same write succeeds once the shard has
 * settled, so it is retried whatever the status.
 */
const SHARD_MOVING_TYPES = new Set([
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
  'shard_not_found_exception',
  'illegal_index_shard_state_exception',
  'index_shard_closed_exception',
  'index_shard_not_started_exception',
  'index_shard_not_recovering_exception',
  'index_shard_relocated_exception',
  'shard_not_in_primary_mode_exception',
  'primary_missing_action_failure',
  'retry_on_primary_exception',
  'retry_on_replica_exception',
  'node_closed_exception',
  'node_disconnected_exception',
  'node_not_connected_exception',
  'connect_transport_exception',
  'send_request_transport_exception',
  'receive_timeout_transport_exception',
  'cluster_manager_not_discovered_exception',
  'master_not_discovered_exception',
  'not_cluster_manager_exception',
  'not_master_exception',
  'process_cluster_event_timeout_exception',
]);

/** Limits of the mapping as a whole: no single field is to blame. */
const STRUCTURE_LIMIT =
  /Limit of total fields|Limit of mapping depth|depth of the field has exceeded|Limit of nested/i;

/** Errors of the client library that mean the request may not have reached a healthy node. */
const TRANSIENT_CLIENT_ERRORS = new Set([
  'ConnectionError',
  'TimeoutError',
  'NoLivingConnectionsError',
  // The SigV4 signer could not fetch credentials (instance metadata or STS hiccup).
  'AwsSigv4SignerError',
  'CredentialsProviderError',
]);

const MAX_REASON_LENGTH = 1000;

export function describeCause(cause: OpenSearchErrorCause | string | undefined): string {
  if (cause === undefined) return 'unknown error';
  if (typeof cause === 'string') return cause.slice(0, MAX_REASON_LENGTH);
  const parts: string[] = [];
  for (let current: OpenSearchErrorCause | undefined = cause; current; current = current.caused_by) {
    parts.push(current.reason ? `${current.type ?? 'error'}: ${current.reason}` : (current.type ?? 'error'));
    if (parts.length === 3) break;
  }
  return parts.join(' / caused by ').slice(0, MAX_REASON_LENGTH);
}

function causeTypes(cause: OpenSearchErrorCause | undefined): string[] {
  const types: string[] = [];
  for (let current = cause; current; current = current.caused_by) if (current.type) types.push(current.type);
  return types;
}

function causeText(cause: OpenSearchErrorCause | undefined): string {
  const texts: string[] = [];
  for (let current = cause; current; current = current.caused_by)
    if (current.reason) texts.push(current.reason);
  return texts.join(' ');
}

/** Classifies one failed item of a bulk response. */
export function classifyItemFailure(status: number, error: OpenSearchErrorCause | undefined): FailureClass {
  const reason = describeCause(error);
  const types = causeTypes(error);
  const has = (set: ReadonlySet<string>): boolean => types.some((type) => set.has(type));

  // A read-only index (disk flood stage, index.blocks.write) comes as 403 or 429: it is one condition.
  if (types.includes('cluster_block_exception')) return { action: 'retry', kind: 'blocked', reason };
  if (status === 429 || has(THROTTLING_TYPES)) return { action: 'retry', kind: 'throttled', reason };
  if (status >= 500 || has(SHARD_MOVING_TYPES)) return { action: 'retry', kind: 'unavailable', reason };
  if (types.includes('index_not_found_exception')) return { action: 'retry', kind: 'missing-index', reason };
  if (status === 413) return { action: 'reject', kind: 'too-large', reason };
  if (types.includes('version_conflict_engine_exception'))
    return { action: 'compare', kind: 'conflict', reason };
  if (STRUCTURE_LIMIT.test(causeText(error))) return { action: 'repair', kind: 'structure', reason };
  if (status === 400 && has(MAPPING_TYPES)) return { action: 'repair', kind: 'mapping', reason };
  return { action: 'reject', kind: 'invalid', reason };
}

interface ResponseErrorLike {
  readonly name: string;
  readonly message?: string;
  readonly meta?: { readonly statusCode?: number | null; readonly body?: unknown };
}

function errorCauseOf(body: unknown): OpenSearchErrorCause | string | undefined {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object') return error as OpenSearchErrorCause;
  }
  return undefined;
}

/** Classifies an error thrown by a whole request (client.bulk, indices.create, ...). */
export function classifyRequestFailure(error: unknown): FailureClass {
  if (!(error instanceof Error)) return { action: 'reject', kind: 'invalid', reason: String(error) };
  const { name, meta } = error as ResponseErrorLike;
  if (TRANSIENT_CLIENT_ERRORS.has(name))
    return { action: 'retry', kind: 'unavailable', reason: `${name}: ${error.message}` };
  const status = meta?.statusCode ?? undefined;
  if (name !== 'ResponseError' || status === undefined) {
    return { action: 'reject', kind: 'invalid', reason: `${name}: ${error.message}` };
  }
  const cause = errorCauseOf(meta?.body);
  const reason = `HTTP ${status}: ${describeCause(cause ?? error.message)}`;
  if (typeof cause === 'object' && causeTypes(cause).includes('cluster_block_exception')) {
    return { action: 'retry', kind: 'blocked', reason };
  }
  if (status === 413) return { action: 'split', kind: 'too-large', reason };
  if (status === 429) return { action: 'retry', kind: 'throttled', reason };
  const shardMoving =
    typeof cause === 'object' && causeTypes(cause).some((type) => SHARD_MOVING_TYPES.has(type));
  if (status >= 500 || shardMoving) return { action: 'retry', kind: 'unavailable', reason };
  if (status === 401 || status === 403) return { action: 'reject', kind: 'refused', reason };
  return { action: 'reject', kind: 'invalid', reason };
}
