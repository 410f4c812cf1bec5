import { describe, expect, it } from 'vitest';
import { EXPLICIT_TOP_LEVEL_FIELDS } from '../../../../src/sinks/opensearch/index-templates.ts';
import {
  offendingField,
  type RepairState,
  repairDocument,
  serializeRepair,
  startRepair,
} from '../../../../src/sinks/opensearch/repair-document.ts';

function repair(
  body: string,
  ...reasons: string[]
): { document: Record<string, unknown>; text: string; state: RepairState } {
  const state = startRepair(body);
  if (!state) throw new Error('not repairable');
  for (const reason of reasons) {
    expect(repairDocument(state, { kind: 'mapping', reason }, EXPLICIT_TOP_LEVEL_FIELDS)).toBe(true);
  }
  const text = serializeRepair(state);
  return { document: JSON.parse(text) as Record<string, unknown>, text, state };
}

describe.each([
  ["mapper_parsing_exception: failed to parse field [a.b] of type [long] in document with id '2'.", 'a.b'],
  [
    'mapper_parsing_exception: object mapping for [o] tried to parse field [o] as object, but found a concrete value',
    'o',
  ],
  [
    'mapper_parsing_exception: Could not dynamically add mapping for field [a.b]. Existing mapping for [a] must be of type object but found [long].',
    'a.b',
  ],
  ["illegal_argument_exception: can't merge a non object mapping [arr.k] with an object mapping", 'arr.k'],
  ['illegal_argument_exception: mapper [x.y] cannot be changed from type [long] to [float]', 'x.y'],
  [
    'illegal_argument_exception: Document contains at least one immense term in field="r_flattened._value" (whose',
    'r_flattened._value',
  ],
  [
    'illegal_argument_exception: Limit of mapping depth [20] has been exceeded due to object field [a.b.c]',
    'a.b.c',
  ],
  ['illegal_argument_exception: Limit of total fields [8192] has been exceeded', undefined],
  [
    'mapper_parsing_exception: failed to parse / caused by json_parse_exception: Unexpected character',
    undefined,
  ],
])('the reason %j', (reason, field) => {
  it(`blames ${field ?? 'no single field'}`, () => {
    expect(offendingField(reason)).toBe(field);
  });
});

describe('repairDocument', () => {
  it('folds a conflicting value into text and records what and why', () => {
    const reason =
      "mapper_parsing_exception: failed to parse field [weird] of type [long] in document with id 'b'.";
    const { document } = repair('{"eventName":"X","weird":{"n":1}}', reason);
    expect(document.weird).toBeUndefined();
    expect(document.eventName).toBe('X');
    expect(document.indexerRepair).toEqual({
      fields: ['weird'],
      reasons: [reason],
      values: '{"weird":{"n":1}}',
    });
  });

  it('keeps every number exactly as written, in place and in the folded text', () => {
    const { text } = repair(
      '{"big":12345678901234567890,"one":1.0,"weird":{"n":12345678901234567890,"f":1.0}}',
      'failed to parse field [weird] of type [long]',
    );
    expect(text).toContain('"big":12345678901234567890,"one":1.0');
    expect(text).toContain(String.raw`"values":"{\"weird\":{\"n\":12345678901234567890,\"f\":1.0}}"`);
  });

  it('folds the value under every element of an array of objects', () => {
    const { document } = repair(
      '{"arr":[{"k":1,"j":2},{"k":{"z":1}}]}',
      "illegal_argument_exception: can't merge a non object mapping [arr.k] with an object mapping",
    );
    expect(document.arr).toEqual([{ j: 2 }, {}]);
    expect(JSON.parse((document.indexerRepair as { values: string }).values)).toEqual({
      'arr.k': [1, { z: 1 }],
    });
  });

  it('finds keys that contain dots', () => {
    const { document } = repair(
      '{"a.b":1,"c":2}',
      'Could not dynamically add mapping for field [a.b]. Existing mapping for [a] must be of type object',
    );
    expect(document).not.toHaveProperty(['a.b']);
    expect(document.c).toBe(2);
  });

  it('blames the deepest existing value when the mapping path goes deeper than the document', () => {
    const { document, state } = repair('{"o":7}', 'failed to parse field [o.x] of type [long]');
    expect(document.o).toBeUndefined();
    expect(state.fields).toEqual(['o']);
  });

  it('drops a value inside a flattened map without copying it, since <key>_raw keeps it', () => {
    const { document } = repair(
      '{"requestParameters_raw":"{\\"a\\":{\\"x\\":1}}","requestParameters_flattened":{"x":["1"],"y":["2"]}}',
      'failed to parse field [requestParameters_flattened.x] of type [long]',
    );
    expect(document.requestParameters_flattened).toEqual({ y: ['2'] });
    expect(document.indexerRepair).toEqual({
      fields: ['requestParameters_flattened.x'],
      reasons: ['failed to parse field [requestParameters_flattened.x] of type [long]'],
    });
  });

  it('drops only the immense values of a flat_object map', () => {
    const long = 'y'.repeat(40_000);
    const { document, state } = repair(
      JSON.stringify({ r_raw: '{}', r_flattened: { big: [long, 'short'], other: ['kept'] } }),
      'illegal_argument_exception: Document contains at least one immense term in field="r_flattened._value"',
    );
    expect(document.r_flattened).toEqual({ big: ['short'], other: ['kept'] });
    expect(state.fields).toEqual(['r_flattened.big']);
  });

  it('sheds the flattened maps first, then unmapped fields, when no field is named', () => {
    const state = startRepair(
      JSON.stringify({
        eventName: 'X',
        userIdentity: { type: 'Root' },
        responseElements_raw: '{}',
        responseElements_flattened: { a: ['1'] },
        extra: { deep: 1 },
      }),
    );
    if (!state) throw new Error('not repairable');
    const failure = { kind: 'structure', reason: 'Limit of total fields [8192] has been exceeded' } as const;
    expect(repairDocument(state, failure, EXPLICIT_TOP_LEVEL_FIELDS)).toBe(true);
    expect(state.source.responseElements_flattened).toBeUndefined();
    expect(state.source.extra).toBeDefined();
    expect(repairDocument(state, failure, EXPLICIT_TOP_LEVEL_FIELDS)).toBe(true);
    expect(Object.keys(state.source).sort()).toEqual(['eventName', 'responseElements_raw', 'userIdentity']);
    expect(JSON.parse(serializeRepair(state)).indexerRepair.fields).toEqual([
      'responseElements_flattened',
      'extra',
    ]);
    expect(repairDocument(state, failure, EXPLICIT_TOP_LEVEL_FIELDS)).toBe(false);
  });

  it('cannot repair what is not a JSON object', () => {
    expect(startRepair('{bad')).toBeUndefined();
    expect(startRepair('[1,2]')).toBeUndefined();
  });
});
