/**
 * JSON parse and stringify that keep every number's source text (integers beyond 2^53, `1.0`),
 * using Node's JSON.rawJSON and the reviver's `context.source`. Only the rare repair path parses
 * a document; the common path sends the transform's text untouched.
 */

interface RawJsonApi {
  rawJSON(text: string): object;
  isRawJSON(value: unknown): boolean;
}

const json = JSON as unknown as JSON & RawJsonApi;

export function parseLossless(text: string): unknown {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined ? json.rawJSON(context.source) : value,
  );
}

/** A number parsed by parseLossless: an opaque, frozen holder of its source text. */
export function isRawNumber(value: unknown): boolean {
  return json.isRawJSON(value);
}
