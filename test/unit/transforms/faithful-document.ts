import { expect } from 'vitest';
import type { IndexableDocument } from '../../../src/core/indexable-document.ts';
import { parseLossless } from '../../../src/core/parse-lossless.ts';

/** Compact JSON in which every number is its exact source text (values from parseLossless). */
export const exact = (value: unknown): string => JSON.stringify(value);

/**
 * The (leaf name, value text) pairs of `value`, found by walking paths: the leaf name is the last
 * object key on the path (array indexes do not count), dots made `_`. Written independently of the
 * code under test, straight from the wording.
 */
export function leafPairs(value: unknown, rootName: string): [string, string][] {
  const pairs: [string, string][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (node === null) return;
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) walk(item, [...path, index]);
      return;
    }
    if (
      typeof node === 'object' &&
      !(JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(node)
    ) {
      for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], [...path, key]);
      return;
    }
    const name = [...path].reverse().find((segment) => typeof segment === 'string') as string;
    if (name === '') return;
    const text = typeof node === 'object' ? JSON.stringify(node) : String(node);
    pairs.push([name.replaceAll('.', '_'), text]);
  };
  walk(value, [rootName]);
  return pairs;
}

/** What `<key>_flattened` must be: the pairs grouped by name, distinct values in first-seen order. */
export function expectedFlattened(value: unknown, rootName: string): Record<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, text] of leafPairs(value, rootName)) {
    const values = grouped.get(name) ?? [];
    if (!values.includes(text)) values.push(text);
    grouped.set(name, values);
  }
  return Object.fromEntries(grouped);
}

function isNonEmptyContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if ((JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(value)) return false;
  return Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
}

/**
 * Asserts the promises for one document made from `original` (parsed losslessly): nested keys
 * flattened with `_raw` giving back the exact value and every leaf under its name, every other field
 * unchanged to the digit, nothing added or lost.
 */
export function expectFaithfulDocument(
  original: Record<string, unknown>,
  document: IndexableDocument,
  flattenKeys: readonly string[],
): void {
  const body = parseLossless(document.body) as Record<string, unknown>;
  const expectedKeys = new Set<string>();
  for (const key of Object.keys(original)) {
    const value = original[key];
    if (flattenKeys.includes(key) && typeof value === 'object' && !isNonEmptyContainer(value)) {
      // null, {} and [] are removed without _raw/_flattened (raw-JSON numbers are scalars: kept).
      const isRaw =
        value !== null && (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(value);
      if (isRaw) expectedKeys.add(key);
      continue;
    }
    if (flattenKeys.includes(key) && isNonEmptyContainer(value)) {
      expectedKeys.add(`${key}_raw`);
      expectedKeys.add(`${key}_flattened`);
      const raw = body[`${key}_raw`];
      expect(typeof raw, `${key}_raw is a string`).toBe('string');
      expect(exact(parseLossless(raw as string)), `${key}_raw gives back the value`).toBe(exact(value));
      const flattened = body[`${key}_flattened`] as Record<string, string[]>;
      for (const [name, text] of leafPairs(value, key)) {
        expect(flattened[name], `${key}_flattened.${name} holds ${text}`).toContain(text);
      }
      expect(flattened).toEqual(expectedFlattened(value, key));
      continue;
    }
    expectedKeys.add(key);
    expect(exact(body[key]), `${key} passes through unchanged`).toBe(exact(value));
  }
  expect(new Set(Object.keys(body))).toEqual(expectedKeys);
}
