import type { Logger } from 'pino';
import type { Config, ConfigWith } from '../config.ts';
import type { FileResult } from '../core/file-result.ts';
import type { LogFileRef } from '../core/log-file-ref.ts';
import { createOpenSearchSink, type OpenSearchSink } from '../sinks/opensearch/opensearch-sink.ts';
import type { SinkHooks } from '../sinks/opensearch/sink-hooks.ts';
import { processLogFile } from './process-log-file.ts';
import type { TransformOptions } from './transform-log-file.ts';

export interface Pipeline {
  readonly sink: OpenSearchSink;
  readonly transform: TransformOptions;
  processFile(ref: LogFileRef, signal?: AbortSignal): Promise<FileResult>;
  close(): Promise<void>;
}

/**
 * The one pipeline of every driver (worker, backfill): transform options and the OpenSearch sink
 * built once from the configuration. Drivers differ only in where references come from and what they
 * do with each result.
 */
export function createPipeline(
  config: ConfigWith<'OPENSEARCH_URL'>,
  logger: Logger,
  hooks?: SinkHooks,
): Pipeline {
  const sink = createOpenSearchSink(config, hooks ? { logger, hooks } : { logger });
  const transform = transformOptionsFrom(config);
  return {
    sink,
    transform,
    processFile: (ref, signal) => processLogFile(ref, { sink, transform, logger }, signal),
    close: () => sink.close(),
  };
}

/** The transform's options from the configuration: the worker's, the backfill's and `transform`'s. */
export function transformOptionsFrom(
  config: Pick<
    Config,
    | 'INDEX_ROUTING'
    | 'INDEX_PREFIX'
    | 'FLATTEN_KEYS'
    | 'MAX_EVENTS_PER_FILE'
    | 'EVENT_TIME_WINDOW_DAYS'
    | 'MAX_DECOMPRESSED_BYTES'
    | 'MAX_FILE_READ_SECONDS'
    | 'MAX_FIELD_NAME_CHARS'
    | 'MAX_EXTRA_TOP_LEVEL_KEYS'
  >,
): TransformOptions {
  return {
    routing: config.INDEX_ROUTING,
    indexPrefix: config.INDEX_PREFIX,
    flattenKeys: config.FLATTEN_KEYS,
    maxEvents: config.MAX_EVENTS_PER_FILE,
    eventTimeWindowDays: config.EVENT_TIME_WINDOW_DAYS,
    maxDecompressedBytes: config.MAX_DECOMPRESSED_BYTES,
    maxReadSeconds: config.MAX_FILE_READ_SECONDS,
    keyLimits: {
      maxFieldNameChars: config.MAX_FIELD_NAME_CHARS,
      maxExtraTopLevelKeys: config.MAX_EXTRA_TOP_LEVEL_KEYS,
    },
  };
}
