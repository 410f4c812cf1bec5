import { describe, expect, it } from 'vitest';
import { buildRetentionPolicy, policyChecksum } from '../../../src/setup/retention-policy.ts';

interface State {
  name: string;
  actions: Array<Record<string, unknown>>;
  transitions: Array<{ state_name: string; conditions?: Record<string, string> }>;
}
interface PolicyBody {
  description: string;
  default_state: string;
  states: State[];
  ism_template: Array<{ index_patterns: string[]; priority: number }>;
}

/** An ISM index pattern (`*` wildcards only) as a regular expression. */
const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  );

const matchesAny = (patterns: readonly string[], index: string): boolean =>
  patterns.some((pattern) => globToRegExp(pattern).test(index));

describe('buildRetentionPolicy', () => {
  const policy = buildRetentionPolicy('cloudtrail', 365);
  const body = policy.body.policy as unknown as PolicyBody;

  it('is the body PUT _plugins/_ism/policies/<id> takes: a description, a default state, states, an ISM template', () => {
    expect(policy.id).toBe('cloudtrail-retention');
    expect(Object.keys(policy.body)).toEqual(['policy']);
    expect(Object.keys(body).sort()).toEqual(['default_state', 'description', 'ism_template', 'states']);
    expect(typeof body.description).toBe('string');
  });

  it('deletes an index the given number of days after its creation, and does nothing before', () => {
    expect(body.default_state).toBe('keep');
    expect(body.states).toEqual([
      {
        name: 'keep',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '365d' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ]);
  });

  it('has consistent states: the default state exists, names are unique, every transition leads to one', () => {
    const names = body.states.map((state) => state.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(body.default_state);
    for (const state of body.states) {
      for (const transition of state.transitions) expect(names).toContain(transition.state_name);
    }
  });

  it("attaches itself to the prefix's new month indexes only", () => {
    expect(body.ism_template).toEqual([
      { index_patterns: ['cloudtrail-2*', 'cloudtrail-insights-2*'], priority: 100 },
    ]);
    const patterns = body.ism_template[0]?.index_patterns ?? [];
    for (const index of ['cloudtrail-2024-05', 'cloudtrail-insights-2019-11'])
      expect(matchesAny(patterns, index)).toBe(true);
    // The undated index's age says nothing about its events; another deployment's prefix is not ours.
    for (const index of [
      'cloudtrail-undated',
      'cloudtrail-prod-2024-05',
      'cloudtrailx-2024-05',
      'other-2024-05',
    ]) {
      expect(matchesAny(patterns, index), index).toBe(false);
    }
  });

  it('writes a checksum of everything else into the description, which changes with the days and the prefix', () => {
    expect(policyChecksum(body.description)).toBe(policy.checksum);
    expect(policy.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(buildRetentionPolicy('cloudtrail', 365).checksum).toBe(policy.checksum);
    expect(buildRetentionPolicy('cloudtrail', 30).checksum).not.toBe(policy.checksum);
    expect(buildRetentionPolicy('audit', 365).checksum).not.toBe(policy.checksum);
    expect(policyChecksum('a policy someone wrote by hand')).toBeUndefined();
    expect(policyChecksum(undefined)).toBeUndefined();
  });
});
