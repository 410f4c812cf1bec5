/**
 * The mappings and index settings the mapping-cost benchmark measures: the seed's, ours as the
 * product installs it, and ours with one field family or one setting changed at a time, so that each
 * row of the cost table prices one thing.
 */
import { buildIndexTemplates, type IndexTemplateOptions } from '../src/sinks/opensearch/index-templates.ts';
import { SEED_INDEX_CONFIG } from './seed-baseline.ts';

/** The fields the shipped dashboard aggregates on (dashboards/cloudtrail-overview.ndjson). */
export const AGGREGATED_FIELDS: ReadonlySet<string> = new Set([
  'eventTime',
  'awsRegion',
  'eventName',
  'eventSource',
  'errorCode',
  'userIdentity.arn',
  'sourceIPAddress',
  'recipientAccountId',
]);

type Json = Record<string, unknown>;

/** What one measured run creates: an index template (ours) or each index's own body (the seed's). */
export type IndexSetup =
  | { readonly kind: 'template'; readonly body: Json }
  | { readonly kind: 'index-body'; readonly body: Json };

export interface MappingVariant {
  readonly name: string;
  /** The field family or setting the row prices. */
  readonly family: string;
  /** Which documents it indexes: the seed's transform or ours. */
  readonly documents: 'seed' | 'ours';
  readonly setup: (prefix: string) => IndexSetup;
  /** Send the `_bulk` bodies gzip-compressed (`content-encoding: gzip`). */
  readonly gzip?: boolean;
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

/** `doc_values: false` on every keyword no aggregation of the dashboard reads. */
function keywordsWithoutDocValues(body: Json): Json {
  const visit = (properties: Record<string, Json>, path: string): void => {
    for (const [name, field] of Object.entries(properties)) {
      const full = path ? `${path}.${name}` : name;
      if (field.properties) visit(field.properties as Record<string, Json>, full);
      else if (field.type === 'keyword' && !AGGREGATED_FIELDS.has(full))
        properties[name] = { ...field, doc_values: false };
    }
  };
  const mappings = templateOf(body).mappings;
  mappings.properties = structuredClone(mappings.properties);
  visit(mappings.properties as Record<string, Json>, '');
  const templates = mappings.dynamic_templates as Array<Record<string, { mapping: Json }>>;
  const strings = templates.find((t) => t.strings_as_keyword);
  if (strings)
    strings.strings_as_keyword!.mapping = { ...strings.strings_as_keyword!.mapping, doc_values: false };
  return body;
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

export const MAPPING_VARIANTS: readonly MappingVariant[] = [
  {
    name: 'seed',
    family: "the seed's mapping and documents (baseline)",
    documents: 'seed',
    setup: () => ({ kind: 'index-body', body: structuredClone(SEED_INDEX_CONFIG) as Json }),
  },
  ours('ours', "today's defaults"),
  {
    name: 'ours-dynamic',
    family: 'MAPPING_MODE=dynamic (a keyword field per flattened leaf name)',
    documents: 'ours',
    setup: (prefix) => ({ kind: 'template', body: productTemplate(prefix, { mode: 'dynamic' }) }),
  },
  ours(
    'raw-not-indexed',
    '`*_raw` text: kept in `_source` only',
    withDynamic('raw_as_text', { type: 'text', index: false }),
  ),
  ours('raw-no-norms', '`*_raw` text: norms', withDynamic('raw_as_text', { type: 'text', norms: false })),
  ours(
    'raw-no-positions',
    '`*_raw` text: positions (and norms)',
    withDynamic('raw_as_text', { type: 'text', norms: false, index_options: 'freqs' }),
  ),
  ours(
    'flattened-not-indexed',
    '`*_flattened` flat-object maps: kept in `_source` only',
    withDynamic('flattened_maps', { type: 'object', enabled: false }),
  ),
  ours('keywords-no-doc-values', 'doc values on keywords no aggregation reads', keywordsWithoutDocValues),
  ours(
    'source-without-flattened',
    '`_source` without the `*_flattened` maps (they repeat `*_raw`)',
    (body) => {
      templateOf(body).mappings._source = { excludes: ['*_flattened'] };
      return body;
    },
  ),
  ours(
    'codec-best-compression',
    'index.codec best_compression',
    withSettings({ 'index.codec': 'best_compression' }),
  ),
  ours('codec-zstd', 'index.codec zstd', withSettings({ 'index.codec': 'zstd' })),
  ours('codec-zstd-no-dict', 'index.codec zstd_no_dict', withSettings({ 'index.codec': 'zstd_no_dict' })),
  ours('refresh-5s', 'index.refresh_interval 5s', withSettings({ 'index.refresh_interval': '5s' })),
  ours('refresh-30s', 'index.refresh_interval 30s', withSettings({ 'index.refresh_interval': '30s' })),
  ours(
    'refresh-off',
    'index.refresh_interval -1 (backfill, refreshed at the end)',
    withSettings({ 'index.refresh_interval': '-1' }),
  ),
  ours(
    'translog-async',
    'index.translog.durability async (5 s)',
    withSettings({ 'index.translog.durability': 'async', 'index.translog.sync_interval': '5s' }),
  ),
  { ...ours('bulk-gzip', 'bulk request bodies gzip-compressed'), gzip: true },
  ours(
    'combined',
    'best_compression, doc values only where aggregated, refresh 30s',
    withSettings({ 'index.codec': 'best_compression', 'index.refresh_interval': '30s' }),
    keywordsWithoutDocValues,
  ),
  ours(
    'combined-raw-no-norms',
    'the same, and `*_raw` without norms',
    withSettings({ 'index.codec': 'best_compression', 'index.refresh_interval': '30s' }),
    keywordsWithoutDocValues,
    withDynamic('raw_as_text', { type: 'text', norms: false }),
  ),
];
