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
    settings: Record<string, number>;
    mappings: {
      date_detection: boolean;
      dynamic_templates: Array<Record<string, { mapping: { type: string } }>>;
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
      raw_as_text: { match: '*_raw', match_mapping_type: 'string', mapping: { type: 'text' } },
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

  it('carries a checksum that changes with the content only', () => {
    const checksum = (overrides: Partial<IndexTemplateOptions> = {}): string | undefined =>
      buildIndexTemplates({ ...options, ...overrides })[0]?.body._meta.checksum;
    expect(checksum()).toBe(checksum());
    expect(checksum({ mode: 'dynamic' })).not.toBe(checksum());
    expect(checksum({ replicas: 2 })).not.toBe(checksum());
  });
});
