import type { Writable } from 'node:stream';
import type { Client } from '@opensearch-project/opensearch';
import type { RetryOptions } from '../sinks/opensearch/backoff.ts';
import type { TemplateChange } from '../sinks/opensearch/index-templates.ts';
import type { SinkReadiness } from '../sinks/opensearch/opensearch-sink.ts';
import { importSavedObjects } from './import-saved-objects.ts';
import { installRetentionPolicy } from './install-retention-policy.ts';
import { buildRetentionPolicy } from './retention-policy.ts';
import type { SavedObject } from './saved-objects.ts';
import { savedObjectsForPrefix } from './saved-objects.ts';

export interface SetupSettings {
  readonly prefix: string;
  /** Days after which ISM deletes an index; undefined: no policy is installed. */
  readonly retentionDays: number | undefined;
}

export interface SetupTargets {
  /** The sink's own start-up: reads the cluster, decides the mapping mode, installs the index templates. */
  readonly prepare: () => Promise<SinkReadiness>;
  readonly client: Client;
  readonly endpoint: string;
  readonly dashboards?: {
    readonly client: Client;
    readonly endpoint: string;
    readonly objects: () => Promise<readonly SavedObject[]>;
  };
  readonly retry: RetryOptions;
}

/** Where the report goes (the command's stdout and stderr). */
export interface SetupIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

type Tally = Record<TemplateChange, number>;

/**
 * `setup`: each step says what it changed and what was already in place; a failed step is reported
 * (endpoint, HTTP status) and the independent steps still run. Returns the exit status.
 */
export async function runSetup(settings: SetupSettings, targets: SetupTargets, io: SetupIo): Promise<number> {
  const tally: Tally = { created: 0, updated: 0, unchanged: 0 };
  const failures: string[] = [];
  const out = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  const report = (what: string, change: TemplateChange, note = ''): void => {
    tally[change] += 1;
    out(`  ${what}: ${change}${note}`);
  };
  const fail = (what: string, error: unknown): void => {
    out(`  ${what}: FAILED`);
    failures.push(error instanceof Error ? error.message : String(error));
  };

  out(`OpenSearch ${targets.endpoint}`);
  let readiness: SinkReadiness | undefined;
  try {
    readiness = await targets.prepare();
    out(
      `  cluster: ${readiness.cluster.distribution} ${readiness.cluster.version}, mapping mode ${readiness.mappingMode}`,
    );
    for (const template of readiness.templates) report(`index template ${template.name}`, template.change);
  } catch (error) {
    fail('index templates', error);
  }

  const policyName = `ISM policy ${settings.prefix}-retention`;
  if (settings.retentionDays === undefined) {
    out(`  ${policyName}: skipped (RETENTION_DAYS is not set: no index is deleted by age)`);
  } else if (!readiness) {
    out(`  ${policyName}: not attempted (the cluster could not be prepared)`);
  } else if (readiness.cluster.distribution === 'serverless') {
    out(
      `  ${policyName}: skipped (OpenSearch Serverless has no ISM: give the collection a data lifecycle policy)`,
    );
  } else {
    const policy = buildRetentionPolicy(settings.prefix, settings.retentionDays);
    try {
      const result = await installRetentionPolicy(targets.client, targets.endpoint, policy);
      const switched =
        result.switchedIndexes > 0 ? `; ${result.switchedIndexes} managed indexes switched to it` : '';
      report(policyName, result.change, ` (delete ${policy.days} days after creation${switched})`);
    } catch (error) {
      fail(policyName, error);
    }
  }

  if (targets.dashboards) {
    const dashboards = targets.dashboards;
    out(`Dashboards ${dashboards.endpoint}`);
    try {
      const objects = savedObjectsForPrefix(await dashboards.objects(), settings.prefix);
      const changes = await importSavedObjects(
        dashboards.client,
        dashboards.endpoint,
        objects,
        targets.retry,
      );
      for (const change of changes) report(`${change.type} "${change.title}"`, change.change);
    } catch (error) {
      fail('saved objects', error);
    }
  }

  const counts = `${tally.created} created, ${tally.updated} updated, ${tally.unchanged} already in place`;
  if (failures.length === 0) {
    out(`Setup done: ${counts}.`);
    return 0;
  }
  for (const failure of failures) io.stderr.write(`error: ${failure.replace(/\.?$/, '.')}\n`);
  out(`Setup incomplete: ${counts}; ${failures.length} step${failures.length === 1 ? '' : 's'} failed.`);
  return 1;
}
