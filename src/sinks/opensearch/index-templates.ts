import { createHash } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { FLAGS_FIELD } from '../../core/event-flags.ts';
import { DEFAULT_MAX_FIELD_NAME_CHARS, FOLDED_FIELD } from '../../core/indexable-document.ts';
import type { MappingMode } from './mapping-mode.ts';

/** Where a repaired document records what was changed and why (see repair-document.ts). */
export const REPAIR_FIELD = 'indexerRepair';

/**
 * Keyword values longer than this are kept in `_source` (and in the `*_raw` text) but not
 * indexed: 8191 characters is the most that always fits Lucene's 32,766-byte term limit.
 */
const MAX_KEYWORD_CHARS = 8191;

/** OpenSearch's default, made explicit: real events nest 11 levels at most. */
const MAPPING_DEPTH_LIMIT = 20;

const keyword = { type: 'keyword', ignore_above: MAX_KEYWORD_CHARS } as const;
/**
 * One value per event: searched by value, never aggregated or sorted on, and their doc values were
 * 41 of the 604 bytes per event on disk (bench/RESULTS.md, "mapping cost", `ids-doc-values`).
 */
const eventUniqueKeyword = { ...keyword, doc_values: false } as const;

/**
 * The fields the shipped dashboard aggregates on (dashboards/cloudtrail-overview.ndjson; the setup
 * tests check the list against it). With `KEYWORD_DOC_VALUES=dashboard` only these keep doc values.
 */
export const DASHBOARD_AGGREGATED_FIELDS: ReadonlySet<string> = new Set([
  'eventTime',
  'awsRegion',
  'eventName',
  'eventSource',
  'errorCode',
  'userIdentity.arn',
  'sourceIPAddress',
  'recipientAccountId',
]);

/** How the `*_raw` JSON text is indexed (RAW_TEXT_INDEX): with positions (phrases), terms only, or not at all. */
export type RawTextIndex = 'positions' | 'terms' | 'none';

/** Which keyword fields keep doc values (KEYWORD_DOC_VALUES): all, or only those the dashboard aggregates. */
export type KeywordDocValues = 'all' | 'dashboard';

/** `index.codec` (INDEX_CODEC): LZ4 (`default`) or DEFLATE (`best_compression`) for stored fields. */
export type IndexCodec = 'default' | 'best_compression';
const date = { type: 'date', format: 'strict_date_optional_time||epoch_millis' } as const;

/**
 * The core CloudTrail fields, typed explicitly so that the first document of a month cannot
 * decide them by accident. Everything else is mapped by the dynamic templates below.
 */
const CORE_PROPERTIES = {
  eventTime: date,
  eventVersion: keyword,
  eventSource: keyword,
  eventName: keyword,
  eventType: keyword,
  eventCategory: keyword,
  eventID: eventUniqueKeyword,
  awsRegion: keyword,
  // Not an IP type: for calls made by AWS services it holds a name such as `s3.amazonaws.com`.
  sourceIPAddress: keyword,
  userAgent: keyword,
  errorCode: keyword,
  errorMessage: { type: 'text', fields: { keyword: { ...keyword, ignore_above: 1024 } } },
  requestID: eventUniqueKeyword,
  sharedEventID: eventUniqueKeyword,
  recipientAccountId: keyword,
  vpcEndpointId: keyword,
  vpcEndpointAccountId: keyword,
  // Values such as `2012-10-17` would otherwise be taken for dates.
  apiVersion: { type: 'text' },
  readOnly: { type: 'boolean' },
  managementEvent: { type: 'boolean' },
  sessionCredentialFromConsole: keyword,
  userIdentity: {
    properties: {
      type: keyword,
      arn: keyword,
      accountId: keyword,
      principalId: keyword,
      accessKeyId: keyword,
      userName: keyword,
      invokedBy: keyword,
      identityProvider: keyword,
      credentialId: keyword,
      sessionContext: {
        properties: {
          sourceIdentity: keyword,
          ec2RoleDelivery: keyword,
          attributes: { properties: { creationDate: date, mfaAuthenticated: keyword } },
          sessionIssuer: {
            properties: {
              type: keyword,
              arn: keyword,
              accountId: keyword,
              principalId: keyword,
              userName: keyword,
            },
          },
        },
      },
    },
  },
  // What the transform noticed (event-flags.ts), and hostile keys folded into one JSON text.
  [FLAGS_FIELD]: keyword,
  [FOLDED_FIELD]: { type: 'text' },
  [REPAIR_FIELD]: {
    properties: {
      fields: keyword,
      reasons: { type: 'text' },
      // Folded values as JSON text: searchable, and never a mapping conflict again.
      values: { type: 'text' },
    },
  },
} as const;

/** Top-level fields the template maps explicitly; the repair keeps them in place. */
export const EXPLICIT_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(Object.keys(CORE_PROPERTIES));

function flattenedTemplate(mode: MappingMode): Record<string, unknown> {
  return mode === 'flat-object'
    ? // One field per map, whatever keys the events bring; `map.key:value` queries still work.
      {
        flattened_maps: {
          match: '*_flattened',
          match_mapping_type: 'object',
          mapping: { type: 'flat_object' },
        },
      }
    : { flattened_values: { path_match: '*_flattened.*', match_mapping_type: 'string', mapping: keyword } };
}

export interface IndexTemplateOptions {
  readonly prefix: string;
  readonly mode: MappingMode;
  readonly shards: number;
  readonly replicas: number;
  readonly totalFieldsLimit: number;
  /**
   * `index.mapping.field_name_length.limit`: the cluster itself refuses longer field names, whatever
   * got past the transform (a 10 MB name in a mapping update is what runs a node out of heap).
   */
  readonly fieldNameLengthLimit?: number;
  /** OpenSearch Serverless manages shards and replicas itself and refuses those settings. */
  readonly serverless?: boolean;
  /** `index.codec`; default `best_compression`. */
  readonly codec?: IndexCodec;
  /** `index.refresh_interval` in seconds; unset: OpenSearch's own (1 s, skipped while no one searches). */
  readonly refreshSeconds?: number;
  /** How `*_raw` is indexed; default `positions`. */
  readonly rawText?: RawTextIndex;
  /** Which keywords keep doc values; default `all`. */
  readonly keywordDocValues?: KeywordDocValues;
}

const RAW_TEXT_MAPPINGS: Record<RawTextIndex, Record<string, unknown>> = {
  // Norms only weigh a match by the field's length; the JSON's length says nothing a user ranks by.
  positions: { type: 'text', norms: false },
  // No positions: a phrase query (`"my-bucket"`) on it is refused, single terms still match.
  terms: { type: 'text', norms: false, index_options: 'freqs' },
  // Only in `_source`: shown with the event, never matched.
  none: { type: 'text', index: false },
};

/** The explicit properties with doc values off on every keyword the dashboard does not aggregate. */
function withoutUnaggregatedDocValues(
  properties: Record<string, unknown>,
  path = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(properties)) {
    const full = path ? `${path}.${name}` : name;
    const mapping = field as { type?: string; properties?: Record<string, unknown> };
    if (mapping.properties)
      out[name] = { ...mapping, properties: withoutUnaggregatedDocValues(mapping.properties, full) };
    else if (mapping.type === 'keyword' && !DASHBOARD_AGGREGATED_FIELDS.has(full))
      out[name] = { ...mapping, doc_values: false };
    else out[name] = field;
  }
  return out;
}

export interface IndexTemplate {
  readonly name: string;
  readonly body: Record<string, unknown> & { readonly _meta: { readonly checksum: string } };
}

/** The index patterns a prefix owns: the events family and the Insight family. */
export function indexFamilies(
  prefix: string,
): ReadonlyArray<{ family: string; pattern: string; priority: number }> {
  return [
    { family: 'events', pattern: `${prefix}-*`, priority: 100 },
    // More specific, so it wins over the events template for `<prefix>-insights-*`.
    { family: 'insights', pattern: `${prefix}-insights-*`, priority: 110 },
  ];
}

/**
 * The composable index templates for `<prefix>-*` and `<prefix>-insights-*`. Self-contained
 * (no component templates) so they work on OpenSearch Serverless as well.
 */
export function buildIndexTemplates(options: IndexTemplateOptions): IndexTemplate[] {
  const settings: Record<string, number | string> = {
    'index.mapping.total_fields.limit': options.totalFieldsLimit,
  };
  if (!options.serverless) {
    settings['index.codec'] = options.codec ?? 'best_compression';
    if (options.refreshSeconds !== undefined)
      settings['index.refresh_interval'] = `${options.refreshSeconds}s`;
    // Serverless manages mapping limits itself; a managed domain or a cluster takes them from here.
    settings['index.mapping.field_name_length.limit'] =
      options.fieldNameLengthLimit ?? DEFAULT_MAX_FIELD_NAME_CHARS;
    settings['index.mapping.depth.limit'] = MAPPING_DEPTH_LIMIT;
    settings['index.number_of_shards'] = options.shards;
    settings['index.number_of_replicas'] = options.replicas;
  }
  const docValues = options.keywordDocValues ?? 'all';
  const mappings = {
    // CloudTrail is full of date-like strings that are not always dates; only the fields mapped
    // as dates above are dates.
    date_detection: false,
    dynamic_templates: [
      flattenedTemplate(options.mode),
      // The original nested value as JSON text: full-text searchable, never a keyword (too long).
      {
        raw_as_text: {
          match: '*_raw',
          match_mapping_type: 'string',
          mapping: RAW_TEXT_MAPPINGS[options.rawText ?? 'positions'],
        },
      },
      // One keyword field per string instead of text plus keyword: half the fields, and what
      // filters and aggregations in Dashboards need.
      {
        strings_as_keyword: {
          match_mapping_type: 'string',
          mapping: docValues === 'all' ? keyword : { ...keyword, doc_values: false },
        },
      },
    ],
    properties: docValues === 'all' ? CORE_PROPERTIES : withoutUnaggregatedDocValues(CORE_PROPERTIES),
  };
  return indexFamilies(options.prefix).map(({ family, pattern, priority }) => {
    const body = { index_patterns: [pattern], priority, template: { settings, mappings } };
    const checksum = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
    return {
      name: `${options.prefix}-${family}`,
      body: {
        ...body,
        _meta: { managed_by: 'cloudtrail-indexer', family, mapping_mode: options.mode, checksum },
      },
    };
  });
}

export type TemplateChange = 'created' | 'updated' | 'unchanged';

/**
 * Installs the templates idempotently: a template whose checksum matches is left alone, so
 * repeated start-ups cause no cluster-state updates, and `setup` can say what it changed.
 */
export async function installIndexTemplates(
  client: Client,
  templates: readonly IndexTemplate[],
): Promise<Array<{ name: string; change: TemplateChange }>> {
  const results: Array<{ name: string; change: TemplateChange }> = [];
  for (const template of templates) {
    const existing = await client.indices.getIndexTemplate({ name: template.name }, { ignore: [404] });
    const found = (
      existing.body as { index_templates?: Array<{ index_template?: { _meta?: { checksum?: string } } }> }
    ).index_templates?.[0];
    if (found?.index_template?._meta?.checksum === template.body._meta.checksum) {
      results.push({ name: template.name, change: 'unchanged' });
      continue;
    }
    await client.indices.putIndexTemplate({ name: template.name, body: template.body });
    results.push({ name: template.name, change: found ? 'updated' : 'created' });
  }
  return results;
}
