import type { Logger } from 'pino';
import type { ConfigWith } from '../config.ts';
import type { FileResult } from '../core/file-result.ts';
import type { LogFileRef } from '../core/log-file-ref.ts';
import { createOpenSearchSink, type OpenSearchSink } from '../sinks/opensearch/opensearch-sink.ts';
import type { SinkHooks } from '../sinks/opensearch/sink-hooks.ts';
import { processLogFile } from './process-log-file.ts';
import type { TransformOptions } from './transform-log-file.ts';
import { transformOptionsFrom } from './transform-options.ts';

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
