import type { SavedObject } from '../../../src/setup/saved-objects.ts';

/** A field a saved object reads, and how: aggregations need an aggregatable field, queries only a searchable one. */
export interface FieldUse {
  readonly field: string;
  readonly use: 'aggregation' | 'query' | 'column';
  readonly object: string;
}

// `name:` in a Lucene query string; `_exists_:name` names the field after the colon.
const LUCENE_FIELD = /(?:^|[\s(!+-])([A-Za-z_@][\w.@]*)\s*:\s*([A-Za-z_@][\w.@]*)?/g;

export function luceneFields(query: string): string[] {
  const fields: string[] = [];
  for (const match of query.matchAll(LUCENE_FIELD)) {
    const [, name, value] = match;
    if (name === '_exists_' && value) fields.push(value);
    else if (name) fields.push(name);
  }
  return fields;
}

interface Agg {
  readonly type: string;
  readonly params?: {
    readonly field?: string;
    readonly filters?: ReadonlyArray<{ input?: { query?: string } }>;
  };
}

/** Every field the objects use: aggregation fields, query and filter strings, a saved search's columns and sort. */
export function fieldsUsed(objects: readonly SavedObject[]): FieldUse[] {
  const uses: FieldUse[] = [];
  for (const object of objects) {
    const name = `${object.type}/${object.id}`;
    const attributes = object.attributes as Record<string, unknown> & {
      kibanaSavedObjectMeta?: { searchSourceJSON?: string };
    };
    const source = attributes.kibanaSavedObjectMeta?.searchSourceJSON;
    if (source) {
      const parsed = JSON.parse(source) as { query?: { query?: unknown } };
      if (typeof parsed.query?.query === 'string') {
        for (const field of luceneFields(parsed.query.query))
          uses.push({ field, use: 'query', object: name });
      }
    }
    if (typeof attributes.visState === 'string') {
      const { aggs } = JSON.parse(attributes.visState) as { aggs: Agg[] };
      for (const agg of aggs) {
        if (agg.params?.field) uses.push({ field: agg.params.field, use: 'aggregation', object: name });
        for (const filter of agg.params?.filters ?? []) {
          for (const field of luceneFields(filter.input?.query ?? ''))
            uses.push({ field, use: 'query', object: name });
        }
      }
    }
    for (const column of (attributes.columns as string[] | undefined) ?? []) {
      uses.push({ field: column, use: 'column', object: name });
    }
    for (const [field] of (attributes.sort as Array<[string, string]> | undefined) ?? []) {
      uses.push({ field, use: 'aggregation', object: name });
    }
  }
  return uses;
}
