import { OperatorError } from '../../core/operator-error.ts';
import { type ClusterInfo, versionAtLeast } from './cluster-info.ts';

/** How the `*_flattened` maps are mapped: one `flat_object` field each, or one keyword field per leaf name. */
export type MappingMode = 'flat-object' | 'dynamic';

/** MAPPING_MODE: a mode, or `auto` to take the best the cluster supports. */
export const MAPPING_SETTINGS = ['auto', 'flat-object', 'dynamic'] as const;
export type MappingSetting = (typeof MAPPING_SETTINGS)[number];

/** `flat_object` arrived in OpenSearch 2.7. */
export const FLAT_OBJECT_MIN_VERSION = '2.7.0';

export class MappingModeError extends OperatorError {
  override readonly name: string = 'MappingModeError';
}

export function supportsFlatObject(cluster: ClusterInfo): boolean {
  return cluster.distribution === 'opensearch' && versionAtLeast(cluster.version, FLAT_OBJECT_MIN_VERSION);
}

/**
 * `auto` takes `flat-object` wherever the cluster has it: the seed deployment's ~4,700 dynamic
 * fields made OpenSearch Dashboards unable to build an index pattern. OpenSearch Serverless does
 * not tell its version, so `auto` stays `dynamic` there; set MAPPING_MODE=flat-object to override.
 */
export function resolveMappingMode(setting: MappingSetting, cluster: ClusterInfo): MappingMode {
  if (setting === 'dynamic') return 'dynamic';
  if (setting === 'flat-object') {
    if (cluster.distribution === 'serverless' || supportsFlatObject(cluster)) return 'flat-object';
    throw new MappingModeError(
      `MAPPING_MODE=flat-object needs OpenSearch ${FLAT_OBJECT_MIN_VERSION} or later, but the cluster runs ${cluster.distribution} ${cluster.version}: use MAPPING_MODE=dynamic or auto.`,
    );
  }
  return supportsFlatObject(cluster) ? 'flat-object' : 'dynamic';
}
