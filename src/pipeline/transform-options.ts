import type { Config } from '../config.ts';
import type { TransformOptions } from './transform-log-file.ts';

// Apart from create-pipeline.ts, so that `transform`, which needs these options and no sink, does not
// load the OpenSearch client (~12 MB of resident memory).

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
