import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OperatorError } from '../core/operator-error.ts';
import { DEFAULT_INDEX_PREFIX } from '../transforms/route-event.ts';

/** One OpenSearch Dashboards saved object as the export/import API writes it (one per NDJSON line). */
export interface SavedObject {
  readonly id: string;
  readonly type: string;
  readonly attributes: Record<string, unknown>;
  readonly references: readonly SavedObjectReference[];
  readonly migrationVersion?: Readonly<Record<string, string>>;
}

export interface SavedObjectReference {
  readonly id: string;
  readonly type: string;
  readonly name: string;
}

/** The shipped objects: the `<prefix>-*` index pattern and the "CloudTrail overview" dashboard with its panels. */
export const OVERVIEW_FILE: string = fileURLToPath(
  new URL('../../dashboards/cloudtrail-overview.ndjson', import.meta.url),
);

export class SavedObjectsFileError extends OperatorError {
  override readonly name: string = 'SavedObjectsFileError';
}

export function parseSavedObjects(ndjson: string, source = 'saved objects'): SavedObject[] {
  return ndjson
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => {
      let parsed: Partial<SavedObject>;
      try {
        parsed = JSON.parse(line) as Partial<SavedObject>;
      } catch (error) {
        throw new SavedObjectsFileError(`${source}, line ${number}: not JSON (${(error as Error).message})`);
      }
      if (typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || !parsed.attributes) {
        throw new SavedObjectsFileError(
          `${source}, line ${number}: a saved object needs id, type and attributes`,
        );
      }
      return { ...parsed, references: parsed.references ?? [] } as SavedObject;
    });
}

export async function readSavedObjects(path: string = OVERVIEW_FILE): Promise<SavedObject[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SavedObjectsFileError(`cannot read ${path} (${(error as Error).message})`);
  }
  return parseSavedObjects(text, path);
}

export function serializeSavedObjects(objects: readonly SavedObject[]): string {
  return objects.map((object) => `${JSON.stringify(object)}\n`).join('');
}

/**
 * The objects for another index prefix. The file is written for the default prefix `cloudtrail`, so
 * it can also be imported by hand; for any other prefix the index pattern becomes `<prefix>-*`, every
 * id (and reference) starting `cloudtrail-` starts `<prefix>-` instead, and titles say the prefix, so
 * two deployments sharing one Dashboards keep separate objects instead of overwriting each other's.
 */
export function savedObjectsForPrefix(objects: readonly SavedObject[], prefix: string): SavedObject[] {
  if (prefix === DEFAULT_INDEX_PREFIX) return [...objects];
  const idFor = (id: string): string =>
    id.startsWith(`${DEFAULT_INDEX_PREFIX}-`) ? `${prefix}-${id.slice(DEFAULT_INDEX_PREFIX.length + 1)}` : id;
  return objects.map((object) => {
    const attributes = { ...object.attributes };
    if (object.type === 'index-pattern') attributes.title = `${prefix}-*`;
    else if (typeof attributes.title === 'string') {
      attributes.title = `${attributes.title} (${prefix})`;
      if (typeof attributes.visState === 'string') {
        const visState = JSON.parse(attributes.visState) as Record<string, unknown>;
        attributes.visState = JSON.stringify({ ...visState, title: attributes.title });
      }
    }
    return {
      ...object,
      id: idFor(object.id),
      attributes,
      references: object.references.map((reference) => ({ ...reference, id: idFor(reference.id) })),
    };
  });
}
