/**
 * Node 24 implements the JSON.parse source text access proposal (`JSON.rawJSON`, `JSON.isRawJSON`,
 * and the reviver's `context.source`), which TypeScript's libraries do not describe yet.
 */
interface RawJson {
  readonly rawJSON: string;
}
interface JsonWithSourceAccess {
  parse(
    text: string,
    reviver: (key: string, value: unknown, context: { source?: string }) => unknown,
  ): unknown;
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
}
const json = JSON as unknown as JsonWithSourceAccess;

export type { RawJson };
/** True for a number kept as its exact source text (it reserializes verbatim through JSON.stringify). */
export const isRawJson: (value: unknown) => value is RawJson = json.isRawJSON;

/**
 * Every number token in JSON text follows `:`, `,`, `[` or the start of the text and is followed by
 * `,`, `}`, `]` or the end (JSON whitespace allowed around it). The pattern also matches inside some
 * strings; such false positives only send a record down the slower exact path.
 */
const NUMBER_CANDIDATE = /(?:^|[:,[])\s*(-?\d[\d.eE+-]*)(?=\s*(?:[,}\]]|$))/g;

/**
 * A cheap first look: every number that may not round-trip has a fraction or an exponent, 16 or more
 * integer digits (all integers of up to 15 digits are exact doubles), or is `-0`; and every number
 * inside a JSON container follows `:`, `,` or `[`. One regular expression test finds such a token,
 * or proves there is none, without visiting each number; only the few records it matches (about 3 %
 * of real events, mostly for floats such as `0.5`) get the exact check below. A number at the very
 * start of the text (a top-level number, never a CloudTrail record) always gets the exact check.
 */
const SUSPECT_NUMBER = /[:,[]\s*(?:-?\d+[.eE]|-?[1-9]\d{15}|-0)/;
const LEADING_NUMBER = /^\s*[-\d]/;

/**
 * Whether `JSON.parse` would change some number of `text`: a number round-trips only when JavaScript
 * prints it back exactly as written, which rules out `1.0`, `1e5`, `-0`, and integers beyond 2^53.
 */
export function hasInexactNumber(text: string): boolean {
  if (!SUSPECT_NUMBER.test(text) && !LEADING_NUMBER.test(text)) return false;
  NUMBER_CANDIDATE.lastIndex = 0;
  for (let match = NUMBER_CANDIDATE.exec(text); match !== null; match = NUMBER_CANDIDATE.exec(text)) {
    const token = match[1]!;
    if (String(Number(token)) !== token) return true;
  }
  return false;
}

function keepInexactNumbers(_key: string, value: unknown, context: { source?: string }): unknown {
  if (typeof value === 'number') {
    const source = context.source;
    if (source !== undefined && String(value) !== source) return json.rawJSON(source);
  }
  return value;
}

/**
 * `JSON.parse` that loses no number: the common case is plain `JSON.parse`; text with a number that
 * would not round-trip is parsed again with a reviver that keeps such numbers as `JSON.rawJSON` values,
 * which `JSON.stringify` writes back verbatim. Everything else JSON can hold survives `JSON.parse`
 * unchanged (strings, unicode, `__proto__` and other odd keys, which become own properties).
 * Throws `SyntaxError` for invalid JSON.
 */
export function parseLossless(text: string): unknown {
  return hasInexactNumber(text) ? parseKeepingNumberText(text) : JSON.parse(text);
}

/** The slow path of `parseLossless`, for callers that ran `hasInexactNumber` themselves. */
export function parseKeepingNumberText(text: string): unknown {
  return json.parse(text, keepInexactNumbers);
}
