import { createReadStream } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyObjectKey } from '../../../src/core/classify-object-key.ts';
import { DEFAULT_TRANSFORM_OPTIONS, transformLogFile } from '../../../src/pipeline/transform-log-file.ts';
import {
  OVERVIEW_FILE,
  readSavedObjects,
  type SavedObject,
  savedObjectsForPrefix,
} from '../../../src/setup/saved-objects.ts';
import {
  buildIndexTemplates,
  DASHBOARD_AGGREGATED_FIELDS,
} from '../../../src/sinks/opensearch/index-templates.ts';
import { corpusLogFiles, FIXTURES_DIR, logFilesUnder } from '../transforms/corpus-files.ts';
import { fieldsUsed, luceneFields } from './saved-object-fields.ts';

/** Field path -> mapping type, for every field the index template maps explicitly. */
function templateFields(mode: 'flat-object' | 'dynamic'): Map<string, string> {
  const [events] = buildIndexTemplates({
    prefix: 'cloudtrail',
    mode,
    shards: 1,
    replicas: 0,
    totalFieldsLimit: 8192,
  });
  const template = events?.body.template as { mappings: { properties: Record<string, unknown> } };
  const fields = new Map<string, string>();
  const walk = (properties: Record<string, unknown>, path: string): void => {
    for (const [name, mapping] of Object.entries(properties)) {
      const { type, properties: inner } = mapping as { type?: string; properties?: Record<string, unknown> };
      if (type) fields.set(`${path}${name}`, type);
      if (inner) walk(inner, `${path}${name}.`);
    }
  };
  walk(template.mappings.properties, '');
  return fields;
}

/** Every field path (dotted, leaves and objects) in the documents the transform makes of the real log files. */
async function documentFields(): Promise<Set<string>> {
  const files = [...logFilesUnder(FIXTURES_DIR), ...corpusLogFiles()];
  const paths = new Set<string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) for (const item of value) walk(item, path);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        const next = path ? `${path}.${key}` : key;
        paths.add(next);
        walk(inner, next);
      }
    }
  };
  for (const path of files) {
    const source = { name: path, keyInfo: classifyObjectKey(path) };
    try {
      for await (const document of transformLogFile(
        createReadStream(path),
        source,
        DEFAULT_TRANSFORM_OPTIONS,
      )) {
        walk(JSON.parse(document.body), '');
      }
    } catch {
      // Files the transform refuses (the corpus holds a few on purpose) add no fields.
    }
  }
  return paths;
}

const byId = (objects: readonly SavedObject[]): Map<string, SavedObject> =>
  new Map(objects.map((object) => [`${object.type}/${object.id}`, object]));

function jsonAttributes(object: SavedObject): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object.attributes)) {
    if (typeof value === 'string' && /JSON$|^visState$/.test(key)) parsed[key] = JSON.parse(value);
  }
  const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
  if (meta?.searchSourceJSON) parsed.searchSourceJSON = JSON.parse(meta.searchSourceJSON);
  return parsed;
}

/** Reference names an object's attributes point through: panelRefName, indexRefName, savedSearchRefName. */
function referenceNamesUsed(object: SavedObject): string[] {
  const parsed = jsonAttributes(object);
  const names: string[] = [];
  const source = parsed.searchSourceJSON as { indexRefName?: string } | undefined;
  if (source?.indexRefName) names.push(source.indexRefName);
  if (typeof object.attributes.savedSearchRefName === 'string')
    names.push(object.attributes.savedSearchRefName);
  for (const panel of (parsed.panelsJSON as Array<{ panelRefName?: string }> | undefined) ?? []) {
    if (panel.panelRefName) names.push(panel.panelRefName);
  }
  return names;
}

function expectReferencesResolve(objects: readonly SavedObject[]): void {
  const all = byId(objects);
  for (const object of objects) {
    for (const reference of object.references) {
      expect(
        all.has(`${reference.type}/${reference.id}`),
        `${object.id} -> ${reference.type}/${reference.id}`,
      ).toBe(true);
    }
    const names = object.references.map((reference) => reference.name);
    for (const name of referenceNamesUsed(object)) expect(names, `${object.id} uses ${name}`).toContain(name);
  }
}

describe('dashboards/cloudtrail-overview.ndjson', () => {
  let objects: SavedObject[];
  beforeAll(async () => {
    objects = await readSavedObjects(OVERVIEW_FILE);
  });

  it('parses: one saved object per line, unique ids, JSON-text attributes are JSON', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(byId(objects).size).toBe(objects.length);
    for (const object of objects) expect(() => jsonAttributes(object), object.id).not.toThrow();
  });

  it('resolves every reference to an object in the file, and every reference name it uses', () => {
    expectReferencesResolve(objects);
  });

  it('holds the index pattern cloudtrail-* with eventTime, a date in the template, as its time field', () => {
    const patterns = objects.filter((object) => object.type === 'index-pattern');
    expect(patterns.map((pattern) => pattern.attributes)).toEqual([
      { title: 'cloudtrail-*', timeFieldName: 'eventTime' },
    ]);
    expect(templateFields('flat-object').get('eventTime')).toBe('date');
  });

  it('holds the "CloudTrail overview" dashboard with a panel for every view the issue lists', () => {
    const dashboard = objects.find((object) => object.type === 'dashboard');
    expect(dashboard?.attributes.title).toBe('CloudTrail overview');
    const panels = new Set(dashboard?.references.map((reference) => reference.id));
    for (const id of [
      'cloudtrail-events-over-time',
      'cloudtrail-top-event-names',
      'cloudtrail-top-event-sources',
      'cloudtrail-errors-over-time',
      'cloudtrail-top-principals',
      'cloudtrail-activity-by-region',
      'cloudtrail-activity-by-source-ip',
      'cloudtrail-console-sign-ins',
      'cloudtrail-root-activity',
      'cloudtrail-access-denied',
    ]) {
      expect(panels, id).toContain(id);
    }
    expect(panels.size).toBe(objects.length - 2);
  });

  describe('fields', () => {
    let documents: Set<string>;
    beforeAll(async () => {
      documents = await documentFields();
    }, 60_000);

    it('uses only fields that exist in the index template or in documents of the real log files', () => {
      const template = templateFields('flat-object');
      const missing = fieldsUsed(objects).filter(
        ({ field }) => !template.has(field) && !documents.has(field),
      );
      expect(missing).toEqual([]);
    });

    // flat_object subfields are searchable but not aggregatable (a terms aggregation on one returns
    // garbage keys on 2.19), so every aggregation must be on a field the template maps explicitly.
    it.each(['flat-object', 'dynamic'] as const)(
      'aggregates and sorts only on explicitly mapped keyword or date fields (%s)',
      (mode) => {
        const template = templateFields(mode);
        const wrong = fieldsUsed(objects)
          .filter(({ use }) => use === 'aggregation')
          .filter(({ field }) => !['keyword', 'date'].includes(template.get(field) ?? ''));
        expect(wrong).toEqual([]);
      },
    );

    // KEYWORD_DOC_VALUES=dashboard keeps doc values only on this list: it must name every field aggregated.
    it('lists every aggregated field in DASHBOARD_AGGREGATED_FIELDS', () => {
      const aggregated = new Set(
        fieldsUsed(objects)
          .filter(({ use }) => use === 'aggregation')
          .map(({ field }) => field),
      );
      expect([...aggregated].sort()).toEqual([...DASHBOARD_AGGREGATED_FIELDS].sort());
    });

    it('finds the console sign-in outcome where the transform puts it', () => {
      expect(documents).toContain('responseElements_flattened.ConsoleLogin');
    });
  });

  describe('for another index prefix', () => {
    it('points the index pattern at <prefix>-* and moves every id and reference to the prefix', () => {
      const rewritten = savedObjectsForPrefix(objects, 'prod-trail');
      expect(rewritten.find((object) => object.type === 'index-pattern')?.attributes.title).toBe(
        'prod-trail-*',
      );
      for (const object of rewritten) {
        expect(object.id.startsWith('prod-trail-'), object.id).toBe(true);
        for (const reference of object.references) expect(reference.id.startsWith('prod-trail-')).toBe(true);
        if (object.type !== 'index-pattern') expect(object.attributes.title).toMatch(/ \(prod-trail\)$/);
      }
      expectReferencesResolve(rewritten);
    });

    it('leaves the objects as they are for the default prefix', () => {
      expect(savedObjectsForPrefix(objects, 'cloudtrail')).toEqual(objects);
    });
  });
});

describe('luceneFields', () => {
  it.each([
    ['eventName:ConsoleLogin', ['eventName']],
    ['_exists_:errorCode', ['errorCode']],
    ['errorCode:AccessDenied* OR errorCode:*UnauthorizedOperation', ['errorCode', 'errorCode']],
    [
      'userIdentity.type:Root AND NOT _exists_:userIdentity.invokedBy AND NOT eventType:AwsServiceEvent',
      ['userIdentity.type', 'userIdentity.invokedBy', 'eventType'],
    ],
    ['', []],
  ])('finds the fields of %j', (query, fields) => {
    expect(luceneFields(query)).toEqual(fields);
  });
});
