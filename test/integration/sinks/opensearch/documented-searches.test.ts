import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import {
  answered,
  documentedSearches,
  runDocumentedSearches,
  type SearchAnswer,
  SearchValuePicker,
  type SearchValues,
} from '../../../helpers/documented-searches.ts';
import { stackEnv } from '../../../helpers/stack.ts';
import { corpusDocuments, corpusFiles, removePrefix, testSink, uniquePrefix } from './sink-harness.ts';

interface IndexedEvent {
  readonly eventType?: string;
  readonly errorCode?: string;
  readonly userIdentity?: { readonly type?: string; readonly arn?: string; readonly invokedBy?: string };
  readonly responseElements_flattened?: { readonly instanceId?: string[] };
  readonly requestParameters_flattened?: { readonly bucketName?: string[] };
  readonly requestParameters_raw?: string;
}

/**
 * The whole corpus indexed with the default mapping and settings, then every documented search
 * (README, docs/operations.md, the dashboard) run as users send them, with the hits expected from
 * the documents themselves. A mapping change that saves cluster cost must keep all of them.
 */
describe('the documented searches on the corpus, with the default mapping', () => {
  const prefix = uniquePrefix('searches');
  const sink = testSink(prefix);
  // What was indexed, by _id: documents are created, never replaced, so the first of a repeated eventID stays.
  const indexed = new Map<string, IndexedEvent>();
  let values: SearchValues;
  let answers: Map<string, SearchAnswer>;

  beforeAll(async () => {
    await sink.prepare();
    const picker = new SearchValuePicker();
    for (const file of await corpusFiles()) {
      async function* tapped(): AsyncGenerator<IndexableDocument> {
        for await (const document of corpusDocuments(file, prefix)) {
          if (!indexed.has(document.id)) indexed.set(document.id, JSON.parse(document.body) as IndexedEvent);
          picker.add(document.body);
          yield document;
        }
      }
      const result = await sink.writeFile(tapped(), { file });
      expect(result.failed, file).toEqual([]);
    }
    values = picker.values();
    const url = stackEnv().OPENSEARCH_URL;
    await fetch(`${url}/${prefix}-*/_refresh`, { method: 'POST' });
    const list = await runDocumentedSearches(url, `${prefix}-*`, documentedSearches(values));
    answers = new Map(list.map((answer) => [answer.name, answer]));
  }, 300_000);

  afterAll(async () => {
    await removePrefix(sink.client, prefix);
    await sink.close();
  });

  const events = (): IndexedEvent[] => [...indexed.values()];
  const found = (name: string): number => {
    const answer = answers.get(name);
    expect(answer, name).toBeDefined();
    expect(answer?.error, name).toBeUndefined();
    expect(answer?.status, name).toBe(200);
    return answer?.found ?? Number.NaN;
  };

  it('answers every one of them, and each finds something (the corpus holds no root-user activity)', () => {
    const unanswered = [...answers.values()].filter((answer) => !answered(answer));
    expect(unanswered).toEqual([]);
    const empty = [...answers.values()].filter((answer) => answer.found === 0).map((answer) => answer.name);
    expect(empty).toEqual(['panel: root activity']);
  });

  it('finds exactly the events of an instance id, a principal ARN and an error code', () => {
    const count = (test: (event: IndexedEvent) => boolean): number => events().filter(test).length;
    expect(found('instance id in the flattened map')).toBe(
      count((e) => e.responseElements_flattened?.instanceId?.includes(values.instanceId) === true),
    );
    expect(found('principal ARN')).toBe(count((e) => e.userIdentity?.arn === values.principalArn));
    expect(found('error code')).toBe(count((e) => e.errorCode === values.errorCode));
    expect(found('bucket in the flattened map')).toBe(
      count((e) => e.requestParameters_flattened?.bucketName?.includes(values.bucketName) === true),
    );
    expect(found('panel: root activity')).toBe(
      count(
        (e) =>
          e.userIdentity?.type === 'Root' &&
          e.userIdentity.invokedBy === undefined &&
          e.eventType !== 'AwsServiceEvent',
      ),
    );
  });

  it('finds an id anywhere, and a phrase in the raw JSON, at least where the flattened maps do', () => {
    expect(found('instance id, no field named')).toBeGreaterThanOrEqual(
      found('instance id in the flattened map'),
    );
    expect(found('full text in the raw JSON (phrase)')).toBeGreaterThanOrEqual(
      found('bucket in the flattened map'),
    );
  });

  it.each([
    ['awsRegion', (e: Record<string, unknown>) => e.awsRegion],
    ['eventName', (e: Record<string, unknown>) => e.eventName],
    ['errorCode', (e: Record<string, unknown>) => e.errorCode],
    ['recipientAccountId', (e: Record<string, unknown>) => e.recipientAccountId],
  ] as const)('aggregates %s into its distinct values (up to 20 buckets)', (field, value) => {
    const distinct = new Set(
      events()
        .map((e) => value(e as Record<string, unknown>))
        .filter((v) => v !== undefined),
    );
    expect(found(`panel: terms of ${field}`)).toBe(Math.min(20, distinct.size));
  });
});
