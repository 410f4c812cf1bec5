import { describe, expect, it } from 'vitest';
import { versionAtLeast } from '../../../../src/sinks/opensearch/cluster-info.ts';
import { MappingModeError, resolveMappingMode } from '../../../../src/sinks/opensearch/mapping-mode.ts';

describe.each([
  ['2.7.0', '2.7.0', true],
  ['2.19.5', '2.7.0', true],
  ['2.6.9', '2.7.0', false],
  ['3.0.0', '2.7.0', true],
  ['1.3.20', '2.7.0', false],
  ['2.11.0-SNAPSHOT', '2.7.0', true],
  ['10.0', '2.7.0', true],
])('versionAtLeast(%s, %s)', (version, minimum, expected) => {
  it(`is ${expected}`, () => expect(versionAtLeast(version, minimum)).toBe(expected));
});

const opensearch = (version: string) => ({ distribution: 'opensearch', version });

describe.each([
  ['auto', opensearch('2.19.5'), 'flat-object'],
  ['auto', opensearch('2.7.0'), 'flat-object'],
  ['auto', opensearch('2.5.0'), 'dynamic'],
  ['auto', { distribution: 'elasticsearch', version: '7.10.2' }, 'dynamic'],
  ['auto', { distribution: 'serverless', version: 'unknown' }, 'dynamic'],
  ['dynamic', opensearch('2.19.5'), 'dynamic'],
  ['flat-object', opensearch('2.19.5'), 'flat-object'],
  ['flat-object', { distribution: 'serverless', version: 'unknown' }, 'flat-object'],
] as const)('MAPPING_MODE=%s on %j', (setting, cluster, expected) => {
  it(`maps the flattened maps as ${expected}`, () =>
    expect(resolveMappingMode(setting, cluster)).toBe(expected));
});

describe('an explicit flat-object mode on a cluster without flat_object', () => {
  it('stops start-up with a sentence naming the setting and the version', () => {
    expect(() => resolveMappingMode('flat-object', opensearch('2.5.0'))).toThrow(MappingModeError);
    expect(() => resolveMappingMode('flat-object', opensearch('2.5.0'))).toThrow(
      /MAPPING_MODE=flat-object needs OpenSearch 2\.7\.0 or later, but the cluster runs opensearch 2\.5\.0/,
    );
  });
});
