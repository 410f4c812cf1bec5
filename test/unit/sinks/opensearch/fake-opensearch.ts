import type { Client } from '@opensearch-project/opensearch';
import { pino } from 'pino';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import type { BulkWriterDeps } from '../../../../src/sinks/opensearch/bulk-writer.ts';
import { IndexManager } from '../../../../src/sinks/opensearch/index-manager.ts';
import { EXPLICIT_TOP_LEVEL_FIELDS } from '../../../../src/sinks/opensearch/index-templates.ts';
import { Limiter } from '../../../../src/sinks/opensearch/limiter.ts';
import { createSinkCounters } from '../../../../src/sinks/opensearch/sink-counters.ts';
import type { PressureEvent } from '../../../../src/sinks/opensearch/sink-hooks.ts';

/**
 * A scripted stand-in for the OpenSearch client, for unit tests of the writer's bookkeeping.
 * Real OpenSearch behaviour is covered by the integration tests.
 */

export interface SentDocument {
  readonly index: string;
  readonly id: string;
  readonly body: string;
}

export type ItemAnswer = { status: number; error?: { type: string; reason: string } };

/** Decides the answer to one bulk request: item answers, or a thrown error for the whole request. */
export type BulkScript = (
  documents: readonly SentDocument[],
  request: number,
) => ItemAnswer[] | Promise<ItemAnswer[]>;

export function responseError(statusCode: number, body: unknown = ''): Error {
  return Object.assign(new Error('Response Error'), { name: 'ResponseError', meta: { statusCode, body } });
}

export const ok: ItemAnswer = { status: 201 };
export const throttled: ItemAnswer = {
  status: 429,
  error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' },
};
export const blocked: ItemAnswer = {
  status: 403,
  error: {
    type: 'cluster_block_exception',
    reason: 'index [x] blocked by: [FORBIDDEN/8/index write (api)];',
  },
};

export class FakeOpenSearch {
  readonly bodies: string[] = [];
  /** What is indexed, by `index/id`: every accepted document, plus what a test puts there. */
  readonly stored = new Map<string, string>();
  readonly mgets: Array<Array<{ _index: string; _id: string }>> = [];
  readonly created: string[] = [];
  inFlight = 0;
  peakInFlight = 0;
  script: BulkScript = (documents) => documents.map(() => ok);
  createScript: (index: string, attempt: number) => void = () => {};

  readonly client = {
    // The sink sends the bulk body as UTF-8 bytes, as the HTTP transport puts them on the wire.
    bulk: async ({ body: bytes }: { body: Buffer }) => {
      const body = bytes.toString('utf8');
      this.bodies.push(body);
      this.inFlight += 1;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      try {
        const lines = body.split('\n');
        const documents: SentDocument[] = [];
        for (let line = 0; line + 1 < lines.length; line += 2) {
          const action = JSON.parse(lines[line] ?? '') as Record<string, { _index: string; _id: string }>;
          const target = action.create ?? action.index;
          if (!target) throw new Error(`unexpected bulk action ${lines[line]}`);
          documents.push({ index: target._index, id: target._id, body: lines[line + 1] ?? '' });
        }
        const answers = await this.script(documents, this.bodies.length);
        return {
          body: {
            took: 1,
            errors: answers.some((answer) => answer.status >= 300),
            items: answers.map((answer, position) => {
              const document = documents[position];
              if (document && answer.status < 300)
                this.stored.set(`${document.index}/${document.id}`, document.body);
              return { create: { _index: document?.index, _id: document?.id, ...answer } };
            }),
          },
        };
      } finally {
        this.inFlight -= 1;
      }
    },
    mget: async ({ body }: { body: { docs: Array<{ _index: string; _id: string }> } }) => {
      this.mgets.push(body.docs);
      return {
        body: {
          docs: body.docs.map(({ _index, _id }) => {
            const stored = this.stored.get(`${_index}/${_id}`);
            return stored === undefined
              ? { _index, _id, found: false }
              : { _index, _id, found: true, _source: JSON.parse(stored) };
          }),
        },
      };
    },
    indices: {
      create: async ({ index }: { index: string }) => {
        const attempt = this.created.filter((name) => name === index).length;
        this.created.push(index);
        this.createScript(index, attempt);
        return { body: { acknowledged: true } };
      },
    },
  };

  asClient(): Client {
    return this.client as unknown as Client;
  }
}

export function documents(count: number, index = 'cloudtrail-2024-05'): IndexableDocument[] {
  return Array.from({ length: count }, (_, n) => ({
    index,
    id: `event-${n}`,
    body: `{"eventID":"event-${n}","eventName":"GetObject","n":${n},"exact":1.0}`,
  }));
}

export interface WriterHarness {
  readonly deps: BulkWriterDeps;
  readonly waits: number[];
  readonly pressure: PressureEvent[];
}

export function writerDeps(fake: FakeOpenSearch, concurrency = 2): WriterHarness {
  const waits: number[] = [];
  const pressure: PressureEvent[] = [];
  const logger = pino({ level: 'silent' });
  const counters = createSinkCounters();
  const policies = {
    transient: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    blocked: { maxRetries: 2, baseDelayMs: 10_000, maxDelayMs: 60_000 },
  };
  const sleep = async (ms: number): Promise<void> => {
    waits.push(ms);
  };
  const random = (): number => 0;
  const deps: BulkWriterDeps = {
    client: fake.asClient(),
    indexes: new IndexManager({
      client: fake.asClient(),
      logger,
      counters,
      retry: { policies, sleep, random },
    }),
    logger,
    counters,
    hooks: { onPressure: (event) => pressure.push(event) },
    policies,
    sleep,
    random,
    now: () => 0,
    explicitFields: EXPLICIT_TOP_LEVEL_FIELDS,
    limiter: new Limiter(concurrency),
  };
  return { deps, waits, pressure };
}
