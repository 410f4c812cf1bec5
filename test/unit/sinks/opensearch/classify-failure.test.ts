import { describe, expect, it } from 'vitest';
import {
  classifyItemFailure,
  classifyRequestFailure,
  describeCause,
  type OpenSearchErrorCause,
} from '../../../../src/sinks/opensearch/classify-failure.ts';

const cause = (type: string, reason: string, causedBy?: OpenSearchErrorCause): OpenSearchErrorCause =>
  causedBy ? { type, reason, caused_by: causedBy } : { type, reason };

/** Bulk item errors as OpenSearch 2.19 returns them (captured from the local cluster). */
describe.each([
  [
    429,
    cause('es_rejected_execution_exception', 'rejected execution of coordinating operation'),
    'retry',
    'throttled',
  ],
  [429, cause('circuit_breaking_exception', '[parent] Data too large'), 'retry', 'throttled'],
  [503, cause('unavailable_shards_exception', '[x][0] primary shard is not active'), 'retry', 'unavailable'],
  [500, cause('null_pointer_exception', 'oops'), 'retry', 'unavailable'],
  // A node of a three-node cluster killed mid-ingest, or a primary relocating: states of the cluster.
  [
    503,
    cause('no_shard_available_action_exception', '[node-3][127.0.0.1:9302] ... no shard available'),
    'retry',
    'unavailable',
  ],
  [404, cause('shard_not_found_exception', 'no such shard'), 'retry', 'unavailable'],
  [
    404,
    cause('illegal_index_shard_state_exception', 'CurrentState[CLOSED] operation only allowed when started'),
    'retry',
    'unavailable',
  ],
  [
    400,
    cause('shard_not_in_primary_mode_exception', 'CurrentState[STARTED] shard is not in primary mode'),
    'retry',
    'unavailable',
  ],
  [
    500,
    cause('node_not_connected_exception', '[node-3][127.0.0.1:9302] Node not connected'),
    'retry',
    'unavailable',
  ],
  [
    400,
    cause(
      'remote_transport_exception',
      '[node-2][127.0.0.1:9301][indices:data/write/bulk[s]]',
      cause('retry_on_primary_exception', 'shard is not in primary mode'),
    ),
    'retry',
    'unavailable',
  ],
  [
    403,
    cause('cluster_block_exception', 'index [x] blocked by: [FORBIDDEN/8/index write (api)];'),
    'retry',
    'blocked',
  ],
  [
    429,
    cause(
      'cluster_block_exception',
      'index [x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];',
    ),
    'retry',
    'blocked',
  ],
  [404, cause('index_not_found_exception', 'no such index [x]'), 'retry', 'missing-index'],
  [
    400,
    cause('mapper_parsing_exception', "failed to parse field [a] of type [long] in document with id '2'."),
    'repair',
    'mapping',
  ],
  [
    400,
    cause(
      'mapper_parsing_exception',
      'object mapping for [o] tried to parse field [o] as object, but found a concrete value',
    ),
    'repair',
    'mapping',
  ],
  [
    400,
    cause('illegal_argument_exception', "can't merge a non object mapping [arr.k] with an object mapping"),
    'repair',
    'mapping',
  ],
  [
    400,
    cause('illegal_argument_exception', 'Limit of total fields [8192] has been exceeded'),
    'repair',
    'structure',
  ],
  [
    400,
    cause(
      'mapper_parsing_exception',
      'failed to parse',
      cause('illegal_argument_exception', 'The depth of the field has exceeded the allowed limit of [20].'),
    ),
    'repair',
    'structure',
  ],
  [
    400,
    cause(
      'illegal_argument_exception',
      'Document contains at least one immense term in field="r_flattened._value"',
    ),
    'repair',
    'mapping',
  ],
  [400, cause('document_parsing_exception', '[1:7] failed to parse field [a]'), 'repair', 'mapping'],
  [409, cause('version_conflict_engine_exception', '[1]: version conflict'), 'compare', 'conflict'],
  [
    400,
    cause('action_request_validation_exception', 'Validation Failed: 1: id is too long'),
    'reject',
    'invalid',
  ],
  [413, undefined, 'reject', 'too-large'],
] as const)('a bulk item with status %i and %j', (status, error, action, kind) => {
  it(`is classified ${action} (${kind})`, () => {
    const failure = classifyItemFailure(status, error);
    expect(failure).toMatchObject({ action, kind });
    expect(failure.reason).toBe(describeCause(error));
  });
});

function responseError(statusCode: number, body: unknown): Error {
  return Object.assign(new Error('Response Error'), { name: 'ResponseError', meta: { statusCode, body } });
}

function clientError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe.each([
  ['413 Request Entity Too Large', responseError(413, ''), 'split', 'too-large'],
  [
    'a 429',
    responseError(429, { error: cause('es_rejected_execution_exception', 'queue full'), status: 429 }),
    'retry',
    'throttled',
  ],
  ['a 502 from a load balancer', responseError(502, '<html>Bad Gateway</html>'), 'retry', 'unavailable'],
  [
    'a 503',
    responseError(503, { error: cause('unavailable_shards_exception', 'no master'), status: 503 }),
    'retry',
    'unavailable',
  ],
  ['a 504', responseError(504, ''), 'retry', 'unavailable'],
  [
    'a node-level 503 while the cluster elects a manager',
    responseError(503, {
      error: cause('cluster_manager_not_discovered_exception', 'no cluster manager'),
      status: 503,
    }),
    'retry',
    'unavailable',
  ],
  [
    'a 404 for a shard that moved off the node',
    responseError(404, { error: cause('shard_not_found_exception', 'no such shard'), status: 404 }),
    'retry',
    'unavailable',
  ],
  [
    'a cluster block on the whole request',
    responseError(403, {
      error: cause(
        'cluster_block_exception',
        'blocked by: [FORBIDDEN/12/index read-only / allow delete (api)]',
      ),
      status: 403,
    }),
    'retry',
    'blocked',
  ],
  ['a 401', responseError(401, { message: 'Unauthorized' }), 'reject', 'refused'],
  [
    'a 403 from IAM',
    responseError(403, { message: 'User: arn:aws:sts::1:assumed-role/x is not authorized' }),
    'reject',
    'refused',
  ],
  [
    'a 400',
    responseError(400, { error: cause('parse_exception', 'bad body'), status: 400 }),
    'reject',
    'invalid',
  ],
  [
    'a connection error',
    clientError('ConnectionError', 'connect ECONNREFUSED 127.0.0.1:9200'),
    'retry',
    'unavailable',
  ],
  ['a timeout', clientError('TimeoutError', 'Request timed out'), 'retry', 'unavailable'],
  [
    'no living connections',
    clientError('NoLivingConnectionsError', 'There are no living connections'),
    'retry',
    'unavailable',
  ],
  [
    'a credentials failure',
    clientError('CredentialsProviderError', 'Could not load credentials'),
    'retry',
    'unavailable',
  ],
  ['a bug', new TypeError('x is not a function'), 'reject', 'invalid'],
  ['a non-error', 'boom', 'reject', 'invalid'],
] as const)('a request failing with %s', (_name, error, action, kind) => {
  it(`is classified ${action} (${kind})`, () => {
    expect(classifyRequestFailure(error)).toMatchObject({ action, kind });
  });
});

describe('describeCause', () => {
  it('joins a cause chain and bounds its length', () => {
    expect(describeCause(cause('a', 'one', cause('b', 'two')))).toBe('a: one / caused by b: two');
    expect(describeCause({ type: 'x', reason: 'y'.repeat(5000) }).length).toBe(1000);
    expect(describeCause(undefined)).toBe('unknown error');
  });

  it('puts the HTTP status in request failure reasons', () => {
    expect(
      classifyRequestFailure(
        responseError(503, { error: cause('unavailable_shards_exception', 'no master') }),
      ).reason,
    ).toBe('HTTP 503: unavailable_shards_exception: no master');
  });
});
