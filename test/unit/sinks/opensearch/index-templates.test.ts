import { describe, expect, it } from 'vitest';
import {
  buildIndexTemplates,
  EXPLICIT_TOP_LEVEL_FIELDS,
  type IndexTemplateOptions,
} from '../../../../src/sinks/opensearch/index-templates.ts';

const options: IndexTemplateOptions = {
  prefix: 'cloudtrail',
  mode: 'flat-object',
  shards: 1,
  replicas: 0,
  totalFieldsLimit: 8192,
};

type Template = {
  index_patterns: string[];
  priority: number;
  template: {
    settings: Record<string, number | string>;
    mappings: {
      date_detection: boolean;
      dynamic_templates: Array<Record<string, { mapping: Record<string, unknown> }>>;
      properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;
    };
  };
};

const bodies = (overrides: Partial<IndexTemplateOptions> = {}): Template[] =>
  buildIndexTemplates({ ...options, ...overrides }).map((template) => template.body as unknown as Template);

describe('buildIndexTemplates', () => {
  it('covers the events family and, more specifically, the Insight family', () => {
    const templates = buildIndexTemplates(options);
    expect(templates.map((template) => template.name)).toEqual(['cloudtrail-events', 'cloudtrail-insights']);
    const [events, insights] = bodies();
    expect(events?.index_patterns).toEqual(['cloudtrail-*']);
    expect(insights?.index_patterns).toEqual(['cloudtrail-insights-*']);
    expect(insights?.priority).toBeGreaterThan(events?.priority ?? Number.POSITIVE_INFINITY);
  });

  it('sets shards, replicas and the mapping limits from the configuration', () => {
    expect(
      bodies({ shards: 3, replicas: 1, totalFieldsLimit: 2000, fieldNameLengthLimit: 300 })[0]?.template
        .settings,
    ).toEqual({
      'index.number_of_shards': 3,
      'index.number_of_replicas': 1,
      'index.mapping.total_fields.limit': 2000,
      'index.mapping.field_name_length.limit': 300,
      'index.mapping.depth.limit': 20,
      'index.codec': 'best_compression',
    });
    expect(bodies({ serverless: true })[0]?.template.settings).toEqual({
      'index.mapping.total_fields.limit': 8192,
    });
  });

  it('maps every *_flattened map as one flat_object field in flat-object mode', () => {
    const dynamic = bodies()[0]?.template.mappings.dynamic_templates[0];
    expect(dynamic).toEqual({
      flattened_maps: {
        match: '*_flattened',
        match_mapping_type: 'object',
        mapping: { type: 'flat_object' },
      },
    });
  });

  it('maps every leaf of every *_flattened map as a keyword in dynamic mode', () => {
    const dynamic = bodies({ mode: 'dynamic' })[0]?.template.mappings.dynamic_templates[0];
    expect(dynamic).toEqual({
      flattened_values: {
        path_match: '*_flattened.*',
        match_mapping_type: 'string',
        mapping: { type: 'keyword', ignore_above: 8191 },
      },
    });
  });

  it('maps *_raw as text only and the core fields explicitly', () => {
    const { mappings } = bodies()[0]?.template ?? { mappings: undefined };
    expect(mappings?.date_detection).toBe(false);
    expect(mappings?.dynamic_templates[1]).toEqual({
      raw_as_text: { match: '*_raw', match_mapping_type: 'string', mapping: { type: 'text', norms: false } },
    });
    const properties = mappings?.properties ?? {};
    expect(properties.eventTime?.type).toBe('date');
    expect(properties.apiVersion?.type).toBe('text');
    for (const field of [
      'eventName',
      'eventSource',
      'awsRegion',
      'errorCode',
      'recipientAccountId',
      'eventType',
    ]) {
      expect(properties[field]?.type, field).toBe('keyword');
    }
    expect(properties.sourceIPAddress?.type).toBe('keyword');
    for (const field of ['type', 'arn', 'accountId', 'principalId']) {
      expect(properties.userIdentity?.properties?.[field]?.type, field).toBe('keyword');
    }
    expect(EXPLICIT_TOP_LEVEL_FIELDS.has('indexerRepair')).toBe(true);
  });

  it('takes the codec and the refresh interval from the configuration, and leaves both to Serverless', () => {
    const settings = bodies({ codec: 'default', refreshSeconds: 30 })[0]?.template.settings;
    expect(settings?.['index.codec']).toBe('default');
    expect(settings?.['index.refresh_interval']).toBe('30s');
    expect(bodies()[0]?.template.settings['index.refresh_interval']).toBeUndefined();
    const serverless = bodies({ serverless: true, refreshSeconds: 30 })[0]?.template.settings;
    expect(serverless?.['index.codec']).toBeUndefined();
    expect(serverless?.['index.refresh_interval']).toBeUndefined();
  });

  it.each([
    ['positions', { type: 'text', norms: false }],
    ['terms', { type: 'text', norms: false, index_options: 'freqs' }],
    ['none', { type: 'text', index: false }],
  ] as const)('indexes *_raw as RAW_TEXT_INDEX=%s says', (rawText, mapping) => {
    expect(bodies({ rawText })[0]?.template.mappings.dynamic_templates[1]?.raw_as_text?.mapping).toEqual(
      mapping,
    );
  });

  it('keeps doc values only on the fields the dashboard aggregates with KEYWORD_DOC_VALUES=dashboard', () => {
    type Field = { type?: string; doc_values?: boolean; properties?: Record<string, Field> };
    const properties = bodies({ keywordDocValues: 'dashboard' })[0]?.template.mappings.properties as Record<
      string,
      Field
    >;
    expect(properties.eventName?.doc_values).toBeUndefined();
    expect(properties.userIdentity?.properties?.arn?.doc_values).toBeUndefined();
    expect(properties.eventID?.doc_values).toBe(false);
    expect(properties.userIdentity?.properties?.accessKeyId?.doc_values).toBe(false);
    const strings = bodies({ keywordDocValues: 'dashboard' })[0]?.template.mappings
      .dynamic_templates[2] as unknown as {
      strings_as_keyword: { mapping: Field };
    };
    expect(strings.strings_as_keyword.mapping.doc_values).toBe(false);
    const all = bodies()[0]?.template.mappings.properties as Record<string, Field>;
    expect(all.eventName?.doc_values).toBeUndefined();
    expect(all.userIdentity?.properties?.accessKeyId?.doc_values).toBeUndefined();
  });

  it('never keeps doc values on the ids each event has its own of: nothing aggregates on them', () => {
    type Field = { type?: string; doc_values?: boolean };
    const properties = bodies()[0]?.template.mappings.properties as Record<string, Field>;
    for (const id of ['eventID', 'requestID', 'sharedEventID'])
      expect(properties[id]).toMatchObject({ type: 'keyword', doc_values: false });
  });

  it('carries a checksum that changes with the content only', () => {
    const checksum = (overrides: Partial<IndexTemplateOptions> = {}): string | undefined =>
      buildIndexTemplates({ ...options, ...overrides })[0]?.body._meta.checksum;
    expect(checksum()).toBe(checksum());
    expect(checksum({ mode: 'dynamic' })).not.toBe(checksum());
    expect(checksum({ replicas: 2 })).not.toBe(checksum());
  });
});
