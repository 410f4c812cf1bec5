/**
 * The mappings and index settings the mapping-cost benchmark measures: the seed's, ours as the
 * product installs it, and ours with one field family or one setting changed at a time, so that each
 * row of the cost table prices one thing.
 */
import { buildIndexTemplates, type IndexTemplateOptions } from '../src/sinks/opensearch/index-templates.ts';
import { SEED_INDEX_CONFIG } from './seed-baseline.ts';

type Json = Record<string, unknown>;

/** What one measured run creates: an index template (ours) or each index's own body (the seed's). */
export type IndexSetup =
  | { readonly kind: 'template'; readonly body: Json }
  | { readonly kind: 'index-body'; readonly body: Json };

export interface MappingVariant {
  readonly name: string;
  /** The field family or setting the row prices. */
  readonly family: string;
  /** Which documents it indexes: the seed's transform, ours, or ours in the order of the files. */
  readonly documents: 'seed' | 'ours' | 'ours-file-order';
  readonly setup: (prefix: string) => IndexSetup;
  /** Send the `_bulk` bodies gzip-compressed (`content-encoding: gzip`). */
  readonly gzip?: boolean;
  /**
   * `_count` once a second while indexing, as an open dashboard would. A shard nobody searched for
   * 30 s skips its refreshes unless `refresh_interval` is set explicitly, so the refresh settings
   * only tell apart with searches going on.
   */
  readonly searchedWhileIndexing?: boolean;
}

/** The product's events template for `prefix`, as `setup` installs it; `overrides` as in its options. */
export function productTemplate(prefix: string, overrides: Partial<IndexTemplateOptions> = {}): Json {
  const [events] = buildIndexTemplates({
    prefix,
    mode: 'flat-object',
    shards: 1,
    replicas: 0,
    totalFieldsLimit: 8192,
    ...overrides,
  });
  if (!events) throw new Error('no events template');
  return structuredClone(events.body) as Json;
}

const templateOf = (body: Json): { settings: Json; mappings: Json } =>
  body.template as { settings: Json; mappings: Json };

function withSettings(settings: Json): (body: Json) => Json {
  return (body) => {
    Object.assign(templateOf(body).settings, settings);
    return body;
  };
}

/** Replaces the mapping of one dynamic template (by name). */
function withDynamic(name: string, mapping: Json): (body: Json) => Json {
  return (body) => {
    const templates = templateOf(body).mappings.dynamic_templates as Array<Record<string, { mapping: Json }>>;
    const entry = templates.find((t) => t[name]);
    if (!entry) throw new Error(`no dynamic template ${name}`);
    entry[name]!.mapping = mapping;
    return body;
  };
}

function ours(name: string, family: string, ...changes: Array<(body: Json) => Json>): MappingVariant {
  return {
    name,
    family,
    documents: 'ours',
    setup: (prefix) => ({
      kind: 'template',
      body: changes.reduce((body, change) => change(body), productTemplate(prefix)),
    }),
  };
}

/** Ours with some of the product's template options (the configuration's INDEX_*, RAW_TEXT_INDEX, KEYWORD_DOC_VALUES). */
function option(name: string, family: string, options: Partial<IndexTemplateOptions>): MappingVariant {
  return {
    name,
    family,
    documents: 'ours',
    setup: (prefix) => ({ kind: 'template', body: productTemplate(prefix, options) }),
  };
}

const searched = (variant: MappingVariant): MappingVariant => ({
  ...variant,
  name: `${variant.name}-searched`,
  family: `${variant.family}, \`_count\` every second while indexing`,
  searchedWhileIndexing: true,
});

export const MAPPING_VARIANTS: readonly MappingVariant[] = [
  {
    name: 'seed',
    family: "the seed's mapping and documents (baseline)",
    documents: 'seed',
    setup: () => ({ kind: 'index-body', body: structuredClone(SEED_INDEX_CONFIG) as Json }),
  },
  {
    ...option('before', 'the template before issue 19 (LZ4 codec, `*_raw` with norms)', { codec: 'default' }),
    setup: (prefix) => ({
      kind: 'template',
      body: withDynamic('raw_as_text', { type: 'text' })(productTemplate(prefix, { codec: 'default' })),
    }),
  },
  ours('ours', 'the defaults'),
  option('ours-dynamic', 'MAPPING_MODE=dynamic (a keyword field per flattened leaf name)', {
    mode: 'dynamic',
  }),
  option('raw-terms', 'RAW_TEXT_INDEX=terms: `*_raw` without positions', { rawText: 'terms' }),
  option('raw-none', 'RAW_TEXT_INDEX=none: `*_raw` in `_source` only', { rawText: 'none' }),
  ours(
    'flattened-not-indexed',
    '`*_flattened` flat-object maps in `_source` only',
    withDynamic('flattened_maps', { type: 'object', enabled: false }),
  ),
  option(
    'doc-values-dashboard',
    'KEYWORD_DOC_VALUES=dashboard: doc values only where the dashboard aggregates',
    {
      keywordDocValues: 'dashboard',
    },
  ),
  ours(
    'source-without-flattened',
    '`_source` without the `*_flattened` maps (they repeat `*_raw`)',
    (body) => {
      templateOf(body).mappings._source = { excludes: ['*_flattened'] };
      return body;
    },
  ),
  option('codec-default', 'INDEX_CODEC=default (LZ4)', { codec: 'default' }),
  ours('codec-zstd', 'index.codec zstd', withSettings({ 'index.codec': 'zstd' })),
  ours('codec-zstd-no-dict', 'index.codec zstd_no_dict', withSettings({ 'index.codec': 'zstd_no_dict' })),
  option('refresh-5s', 'INDEX_REFRESH_SECONDS=5', { refreshSeconds: 5 }),
  option('refresh-30s', 'INDEX_REFRESH_SECONDS=30', { refreshSeconds: 30 }),
  ours(
    'refresh-off',
    'index.refresh_interval -1 (refreshed at the end)',
    withSettings({ 'index.refresh_interval': '-1' }),
  ),
  searched(ours('ours', 'the defaults')),
  searched(option('refresh-5s', 'INDEX_REFRESH_SECONDS=5', { refreshSeconds: 5 })),
  searched(option('refresh-30s', 'INDEX_REFRESH_SECONDS=30', { refreshSeconds: 30 })),
  ours(
    'translog-async',
    'index.translog.durability async (5 s)',
    withSettings({ 'index.translog.durability': 'async', 'index.translog.sync_interval': '5s' }),
  ),
  { ...ours('bulk-gzip', 'bulk request bodies gzip-compressed'), gzip: true },
  ours(
    'ids-doc-values',
    'doc values on the per-event ids (eventID, requestID, sharedEventID), as before issue 19',
    (body) => {
      const properties = templateOf(body).mappings.properties as Record<string, Json>;
      for (const id of ['eventID', 'requestID', 'sharedEventID']) delete properties[id]!.doc_values;
      return body;
    },
  ),
  {
    ...ours('file-order', "documents in the files' order, as before issue 19 (not grouped by kind)"),
    documents: 'ours-file-order',
  },
  // Index sorting orders every segment, where the product orders only each request (kind-order.ts).
  ours(
    'sort-by-name',
    'index.sort.field eventSource, eventName',
    withSettings({ 'index.sort.field': ['eventSource', 'eventName'], 'index.sort.order': ['asc', 'asc'] }),
  ),
  option(
    'lean',
    'KEYWORD_DOC_VALUES=dashboard, INDEX_REFRESH_SECONDS=30: the cheapest that keeps every search',
    {
      keywordDocValues: 'dashboard',
      refreshSeconds: 30,
    },
  ),
  option('cheapest', 'RAW_TEXT_INDEX=none, KEYWORD_DOC_VALUES=dashboard, INDEX_REFRESH_SECONDS=30', {
    rawText: 'none',
    keywordDocValues: 'dashboard',
    refreshSeconds: 30,
  }),
];
