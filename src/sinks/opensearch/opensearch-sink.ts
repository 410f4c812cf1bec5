import type { Client } from '@opensearch-project/opensearch';
import type { Logger } from 'pino';
import type { Documents, FileWriteResult, WriteContext } from '../../core/sink-port.ts';
import {
  type BackoffPolicies,
  DEFAULT_BACKOFF,
  type RetryOptions,
  type Sleep,
  sleep,
  withRetries,
} from './backoff.ts';
import { BulkBufferPool } from './bulk-lines.ts';
import { writeDocuments } from './bulk-writer.ts';
import { type ClusterInfo, readClusterInfo } from './cluster-info.ts';
import {
  createOpenSearchClient,
  describeEndpoint,
  type OpenSearchClientConfig,
} from './create-opensearch-client.ts';
import { IndexManager } from './index-manager.ts';
import {
  buildIndexTemplates,
  EXPLICIT_TOP_LEVEL_FIELDS,
  type IndexCodec,
  installIndexTemplates,
  type KeywordDocValues,
  type RawTextIndex,
  type TemplateChange,
} from './index-templates.ts';
import { Limiter } from './limiter.ts';
import { type MappingMode, type MappingSetting, resolveMappingMode } from './mapping-mode.ts';
import { createSinkCounters, type SinkCounters } from './sink-counters.ts';
import type { SinkHooks } from './sink-hooks.ts';

/** The settings the sink is built from, named as the configuration names them (config.ts). */
export interface OpenSearchSinkConfig extends OpenSearchClientConfig {
  readonly INDEX_PREFIX: string;
  readonly MAPPING_MODE: MappingSetting;
  readonly INDEX_SHARDS: number;
  readonly INDEX_REPLICAS: number;
  readonly INDEX_TOTAL_FIELDS_LIMIT: number;
  readonly INDEX_CODEC: IndexCodec;
  readonly INDEX_REFRESH_SECONDS?: number | undefined;
  readonly RAW_TEXT_INDEX: RawTextIndex;
  readonly KEYWORD_DOC_VALUES: KeywordDocValues;
  readonly MAX_FIELD_NAME_CHARS: number;
  readonly BULK_MAX_BYTES: number;
  readonly BULK_MAX_DOCUMENTS: number;
  readonly BULK_CONCURRENCY: number;
}

export interface OpenSearchSinkDeps {
  readonly logger: Logger;
  /** Defaults to a client built from the configuration. */
  readonly client?: Client;
  readonly hooks?: SinkHooks;
  readonly backoff?: BackoffPolicies;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface SinkReadiness {
  readonly endpoint: string;
  readonly cluster: ClusterInfo;
  readonly mappingMode: MappingMode;
  readonly templates: ReadonlyArray<{ readonly name: string; readonly change: TemplateChange }>;
}

export interface OpenSearchSink {
  readonly client: Client;
  /** Running totals for the metrics endpoint. */
  readonly counters: Readonly<SinkCounters>;
  /** Start-up: reads the cluster version, decides the mapping mode, installs the index templates. Idempotent. */
  prepare(): Promise<SinkReadiness>;
  /** Writes one file's documents; `result.ok` says whether every one was accepted. Prepares first if needed. */
  writeFile(documents: Documents, context: WriteContext): Promise<FileWriteResult>;
  close(): Promise<void>;
}

/** The OpenSearch sink: one per process, shared by every file being written. */
export function createOpenSearchSink(config: OpenSearchSinkConfig, deps: OpenSearchSinkDeps): OpenSearchSink {
  const client = deps.client ?? createOpenSearchClient(config);
  const logger = deps.logger;
  const endpoint = describeEndpoint(config);
  const counters = createSinkCounters();
  const retry: RetryOptions = {
    policies: deps.backoff ?? DEFAULT_BACKOFF,
    sleep: deps.sleep ?? sleep,
    random: deps.random ?? Math.random,
    onRetry: (failure, attempt, delayMs) =>
      logger.warn(
        { endpoint, kind: failure.kind, retry: attempt + 1, delayMs, reason: failure.reason },
        'request will be retried',
      ),
  };
  const indexes = new IndexManager({ client, logger, counters, retry });
  const writerDeps = {
    client,
    indexes,
    logger,
    counters,
    hooks: deps.hooks ?? {},
    policies: retry.policies,
    sleep: retry.sleep,
    random: retry.random,
    now: deps.now ?? Date.now,
    explicitFields: EXPLICIT_TOP_LEVEL_FIELDS,
    limiter: new Limiter(config.BULK_CONCURRENCY),
    buffers: new BulkBufferPool(),
  };
  const limits = { maxBytes: config.BULK_MAX_BYTES, maxDocuments: config.BULK_MAX_DOCUMENTS };

  let readiness: Promise<SinkReadiness> | undefined;
  const prepareOnce = async (): Promise<SinkReadiness> => {
    const serverless = config.OPENSEARCH_AUTH === 'sigv4' && config.OPENSEARCH_SIGV4_SERVICE === 'aoss';
    const cluster = await readClusterInfo(client, endpoint, serverless ? 'aoss' : 'es');
    const mappingMode = resolveMappingMode(config.MAPPING_MODE, cluster);
    const templates = buildIndexTemplates({
      prefix: config.INDEX_PREFIX,
      mode: mappingMode,
      shards: config.INDEX_SHARDS,
      replicas: config.INDEX_REPLICAS,
      totalFieldsLimit: config.INDEX_TOTAL_FIELDS_LIMIT,
      fieldNameLengthLimit: config.MAX_FIELD_NAME_CHARS,
      serverless,
      codec: config.INDEX_CODEC,
      ...(config.INDEX_REFRESH_SECONDS === undefined ? {} : { refreshSeconds: config.INDEX_REFRESH_SECONDS }),
      rawText: config.RAW_TEXT_INDEX,
      keywordDocValues: config.KEYWORD_DOC_VALUES,
    });
    const changes = await withRetries(() => installIndexTemplates(client, templates), retry);
    logger.info(
      {
        endpoint,
        distribution: cluster.distribution,
        version: cluster.version,
        mappingMode,
        templates: changes,
      },
      'OpenSearch ready',
    );
    return { endpoint, cluster, mappingMode, templates: changes };
  };

  const prepare = (): Promise<SinkReadiness> => {
    readiness ??= prepareOnce().catch((error: unknown) => {
      readiness = undefined;
      throw error;
    });
    return readiness;
  };

  return {
    client,
    counters,
    prepare,
    async writeFile(documents: Documents, context: WriteContext): Promise<FileWriteResult> {
      await prepare();
      return writeDocuments(documents, context, writerDeps, limits);
    },
    close: () => client.close(),
  };
}
