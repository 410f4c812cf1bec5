import fc from 'fast-check';

/** Object keys, with the awkward ones (`__proto__`, empty, dotted, integer-like) over-represented. */
export const keyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', '', 'a.b', '.', '0', '12', 'constructor', 'toString', 'id'),
  },
);

/** Number tokens, including the ones JavaScript would rewrite: big integers, `1.0`, exponents, `-0`. */
export const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.constantFrom('1.0', '0.50', '-0', '1e5', '2.5E-3', '9007199254740993'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/** Compact JSON text of nested values, so numbers such as `1.0` and 2^53 + 1 reach the code as written. */
export const jsonText = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false'),
    numberText,
    fc.string({ unit: 'binary', maxLength: 8 }).map((text) => JSON.stringify(text)),
    fc.array(tie('value') as fc.Arbitrary<string>, { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .uniqueArray(fc.tuple(keyText, tie('value') as fc.Arbitrary<string>), {
        maxLength: 4,
        selector: ([k]) => k,
      })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value as fc.Arbitrary<string>;

const isoTime = fc
  .date({ min: new Date('2013-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => `${date.toISOString().slice(0, 19)}Z`);

/** The JSON text of a CloudTrail-like event: routing and id fields, nested keys to flatten, other fields. */
export const eventText = fc
  .record(
    {
      eventTime: isoTime,
      eventID: fc.uuid(),
      eventType: fc.constantFrom('AwsApiCall', 'AwsServiceEvent', 'AwsCloudTrailInsight'),
      requestParameters: jsonText,
      responseElements: jsonText,
      resources: jsonText,
      additionalEventData: jsonText,
      other: jsonText,
      count: numberText,
    },
    { requiredKeys: ['eventTime'] },
  )
  .map(
    (fields) =>
      `{${Object.entries(fields)
        .map(
          ([key, value]) =>
            `${JSON.stringify(key)}:${key === 'eventTime' || key === 'eventID' || key === 'eventType' ? JSON.stringify(value) : value}`,
        )
        .join(',')}}`,
  );
