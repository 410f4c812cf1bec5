import type { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { installRetentionPolicy } from '../../../src/setup/install-retention-policy.ts';
import { buildRetentionPolicy } from '../../../src/setup/retention-policy.ts';
import { RequestFailure } from '../../../src/sinks/opensearch/request-failure.ts';
import { responseError } from '../sinks/opensearch/fake-opensearch.ts';

interface Sent {
  method: string;
  path: string;
  querystring?: Record<string, unknown>;
  body?: unknown;
}

/** A scripted stand-in for the client's transport; the real cluster here has no ISM (see the integration test). */
function fakeClient(answer: (request: Sent) => { statusCode?: number; body: unknown }): {
  client: Client;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const client = {
    transport: {
      request: async (request: Sent) => {
        sent.push(request);
        const { statusCode = 200, body } = answer(request);
        return { statusCode, body };
      },
    },
  } as unknown as Client;
  return { client, sent };
}

const ENDPOINT = 'http://search:9200 (auth: none)';
const policy = buildRetentionPolicy('cloudtrail', 90);

describe('installRetentionPolicy', () => {
  it('creates the policy when there is none', async () => {
    const { client, sent } = fakeClient((request) =>
      request.method === 'GET'
        ? { statusCode: 404, body: { error: 'Policy not found' } }
        : { body: { _id: policy.id } },
    );
    await expect(installRetentionPolicy(client, ENDPOINT, policy)).resolves.toEqual({
      change: 'created',
      switchedIndexes: 0,
    });
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /_plugins/_ism/policies/cloudtrail-retention',
      'PUT /_plugins/_ism/policies/cloudtrail-retention',
    ]);
    expect(sent[1]?.querystring).toEqual({});
    expect(sent[1]?.body).toEqual(policy.body);
  });

  it('leaves a policy with the same checksum alone', async () => {
    const { client, sent } = fakeClient(() => ({
      body: {
        _id: policy.id,
        _seq_no: 3,
        _primary_term: 1,
        policy: { ...policy.body.policy, last_updated_time: 1 },
      },
    }));
    await expect(installRetentionPolicy(client, ENDPOINT, policy)).resolves.toEqual({
      change: 'unchanged',
      switchedIndexes: 0,
    });
    expect(sent).toHaveLength(1);
  });

  it('replaces a changed policy at the version it read and moves the indexes it manages to the new version', async () => {
    const older = buildRetentionPolicy('cloudtrail', 365);
    const { client, sent } = fakeClient((request) => {
      if (request.method === 'GET' && request.path.includes('/policies/'))
        return { body: { _id: policy.id, _seq_no: 7, _primary_term: 2, policy: older.body.policy } };
      if (request.path.includes('/explain/'))
        return {
          body: {
            'cloudtrail-2024-01': {
              'index.plugins.index_state_management.policy_id': policy.id,
              index: 'cloudtrail-2024-01',
            },
            'cloudtrail-2024-02': { policy_id: policy.id, index: 'cloudtrail-2024-02' },
            'cloudtrail-2024-03': { policy_id: 'someone-elses', index: 'cloudtrail-2024-03' },
            'cloudtrail-insights-2024-03': { 'index.plugins.index_state_management.policy_id': null },
            total_managed_indices: 3,
          },
        };
      if (request.path.includes('/change_policy/'))
        return { body: { updated_indices: 2, failures: false, failed_indices: [] } };
      return { body: {} };
    });
    await expect(installRetentionPolicy(client, ENDPOINT, policy)).resolves.toEqual({
      change: 'updated',
      switchedIndexes: 2,
    });
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /_plugins/_ism/policies/cloudtrail-retention',
      'PUT /_plugins/_ism/policies/cloudtrail-retention',
      'GET /_plugins/_ism/explain/cloudtrail-2*,cloudtrail-insights-2*',
      'POST /_plugins/_ism/change_policy/cloudtrail-2024-01,cloudtrail-2024-02',
    ]);
    expect(sent[1]?.querystring).toEqual({ if_seq_no: 7, if_primary_term: 2 });
    expect(sent[3]?.body).toEqual({ policy_id: policy.id });
  });

  it('says the ISM plugin is not installed, naming the endpoint and the HTTP status, when the cluster has no ISM', async () => {
    const { client } = fakeClient(() => {
      throw responseError(400, {
        error: 'no handler found for uri [/_plugins/_ism/policies/cloudtrail-retention] and method [GET]',
      });
    });
    const failure = await installRetentionPolicy(client, ENDPOINT, policy).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RequestFailure);
    expect((failure as RequestFailure).message).toMatch(
      /^Reading the ISM policy cloudtrail-retention at http:\/\/search:9200 \(auth: none\) failed: HTTP 400: .*no handler found.* \(ISM plugin not installed: /,
    );
  });

  it('names the endpoint and the status of any other refusal', async () => {
    const { client } = fakeClient((request) => {
      if (request.method === 'GET') return { statusCode: 404, body: {} };
      throw responseError(403, {
        error: {
          type: 'security_exception',
          reason: 'no permissions for [cluster:admin/opendistro/ism/policy/write]',
        },
      });
    });
    await expect(installRetentionPolicy(client, ENDPOINT, policy)).rejects.toThrow(
      'Writing the ISM policy cloudtrail-retention at http://search:9200 (auth: none) failed: HTTP 403: security_exception: no permissions for [cluster:admin/opendistro/ism/policy/write]',
    );
  });
});
