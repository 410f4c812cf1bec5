import type { ClientRequest, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { type Client, Connection, errors } from '@opensearch-project/opensearch';
import { pino } from 'pino';
import type { IndexableDocument } from '../../../../src/core/indexable-document.ts';
import { BulkBufferPool } from '../../../../src/sinks/opensearch/bulk-lines.ts';
import type { BulkWriterDeps } from '../../../../src/sinks/opensearch/bulk-writer.ts';
import { createOpenSearchClient } from '../../../../src/sinks/opensearch/create-opensearch-client.ts';
import { IndexManager } from '../../../../src/sinks/opensearch/index-manager.ts';
import { EXPLICIT_TOP_LEVEL_FIELDS } from '../../../../src/sinks/opensearch/index-templates.ts';
import { Limiter } from '../../../../src/sinks/opensearch/limiter.ts';
import { createSinkCounters } from '../../../../src/sinks/opensearch/sink-counters.ts';
import type { PressureEvent } from '../../../../src/sinks/opensearch/sink-hooks.ts';

/**
 * A scripted OpenSearch for unit tests of the writer's bookkeeping, faked one layer below the client:
 * at its `Connection`, as opensearch-js's own tests do (test/utils/MockConnection.js). The client is
 * the real one, built by `createOpenSearchClient` as the sink builds it (no transport retries, the
 * same timeouts), so its request serialization, its response parsing and its error classes
 * (`ResponseError`, `ConnectionError`, `TimeoutError`) are what the code under test meets.
 * Real OpenSearch behaviour is covered by the integration tests.
 */

export interface SentDocument {
  readonly index: string;
  readonly id: string;
  readonly body: string;
}

export type ItemAnswer = { status: number; error?: { type: string; reason: string } };

/**
 * Decides the answer to one bulk request: item answers, or a thrown error for the whole request
 * (`responseError(...)` for an HTTP status, or an error named `ConnectionError` / `TimeoutError` for a
 * request that got no answer).
 */
export type BulkScript = (
  documents: readonly SentDocument[],
  request: number,
) => ItemAnswer[] | Promise<ItemAnswer[]>;

/** The client's own error for an HTTP answer of `statusCode` with `body`. */
export function responseError(statusCode: number, body: unknown = ''): Error {
  return new errors.ResponseError({ statusCode, body, headers: {}, warnings: null, meta: {} } as never);
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

/** One HTTP request as the connection receives it from the transport, body as sent (UTF-8). */
interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly querystring: string;
  readonly body: string;
}

interface FakeAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** What a request that failed before any answer becomes in the client: its own error classes. */
function transportError(error: unknown): Error {
  const { name, message } = error as Error;
  if (name === 'ConnectionError') return new errors.ConnectionError(message);
  if (name === 'TimeoutError') return new errors.TimeoutError(message, {} as never);
  return error as Error;
}

/** The answer as the transport reads it off the socket: a JSON body stream with its status and headers. */
function httpResponse(answer: FakeAnswer): IncomingMessage {
  const payload = Buffer.from(JSON.stringify(answer.body));
  const response = Object.assign(Readable.from([payload], { objectMode: false }), {
    statusCode: answer.statusCode,
    headers: { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(payload.length) },
  });
  return response as unknown as IncomingMessage;
}

/** A Connection class answering every request through `handle`, as a node would over HTTP. */
function connectionAnswering(handle: (request: FakeRequest) => Promise<FakeAnswer>): typeof Connection {
  return class FakeConnection extends Connection {
    override request(
      params: Parameters<Connection['request']>[0],
      callback: (error: Error | null, response: IncomingMessage | null) => void,
    ): ClientRequest {
      let aborted = false;
      const body: unknown = params.body;
      const request: FakeRequest = {
        method: params.method ?? 'GET',
        path: params.path ?? '/',
        querystring: params.querystring ?? '',
        body: body == null ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : String(body),
      };
      handle(request).then(
        (answer) => {
          if (aborted) callback(new errors.RequestAbortedError('Request aborted'), null);
          // The writer reuses its buffers: none may change while the request that sends it is in flight.
          else if (Buffer.isBuffer(body) && body.toString('utf8') !== request.body)
            callback(new Error('the request body changed while it was being sent'), null);
          else callback(null, httpResponse(answer));
        },
        (error: unknown) => {
          // A scripted HTTP status is answered as such; the transport makes its ResponseError of it.
          if (error instanceof errors.ResponseError) {
            const { statusCode, body } = error.meta as unknown as FakeAnswer;
            callback(null, httpResponse({ statusCode, body }));
          } else callback(transportError(error), null);
        },
      );
      return {
        abort: () => {
          aborted = true;
        },
      } as unknown as ClientRequest;
    }
  };
}

export class FakeOpenSearch {
  readonly bodies: string[] = [];
  /** The query string of each bulk request, as the client sent it. */
  readonly bulkQueries: string[] = [];
  /** What is indexed, by `index/id`: every accepted document, plus what a test puts there. */
  readonly stored = new Map<string, string>();
  readonly mgets: Array<Array<{ _index: string; _id: string }>> = [];
  readonly created: string[] = [];
  inFlight = 0;
  peakInFlight = 0;
  script: BulkScript = (documents) => documents.map(() => ok);
  createScript: (index: string, attempt: number) => void = () => {};

  readonly #client = createOpenSearchClient(
    {
      OPENSEARCH_URL: 'http://fake-opensearch:9200',
      OPENSEARCH_AUTH: 'none',
      OPENSEARCH_SIGV4_SERVICE: 'es',
      OPENSEARCH_TLS_VERIFY: true,
      OPENSEARCH_REQUEST_TIMEOUT_SECONDS: 30,
    },
    { Connection: connectionAnswering((request) => this.#answer(request)) },
  );

  asClient(): Client {
    return this.#client;
  }

  async #answer(request: FakeRequest): Promise<FakeAnswer> {
    const route = `${request.method} ${request.path}`;
    if (route === 'POST /_bulk') {
      this.bulkQueries.push(request.querystring);
      return { statusCode: 200, body: await this.#bulk(request.body) };
    }
    if (route === 'POST /_mget' || route === 'GET /_mget')
      return { statusCode: 200, body: this.#mget(request.body) };
    const created = /^PUT \/([^/_][^/]*)$/.exec(route);
    if (created) {
      const index = decodeURIComponent(created[1] ?? '');
      const attempt = this.created.filter((name) => name === index).length;
      this.created.push(index);
      this.createScript(index, attempt);
      return { statusCode: 200, body: { acknowledged: true, shards_acknowledged: true, index } };
    }
    throw responseError(400, { error: { type: 'fake_unexpected_request', reason: route } });
  }

  async #bulk(body: string): Promise<unknown> {
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
        took: 1,
        errors: answers.some((answer) => answer.status >= 300),
        items: answers.map((answer, position) => {
          const document = documents[position];
          if (document && answer.status < 300)
            this.stored.set(`${document.index}/${document.id}`, document.body);
          return { create: { _index: document?.index, _id: document?.id, ...answer } };
        }),
      };
    } finally {
      this.inFlight -= 1;
    }
  }

  #mget(body: string): unknown {
    const { docs } = JSON.parse(body) as { docs: Array<{ _index: string; _id: string }> };
    this.mgets.push(docs);
    return {
      docs: docs.map(({ _index, _id }) => {
        const stored = this.stored.get(`${_index}/${_id}`);
        return stored === undefined
          ? { _index, _id, found: false }
          : { _index, _id, found: true, _source: JSON.parse(stored) };
      }),
    };
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
    buffers: new BulkBufferPool(),
  };
  return { deps, waits, pressure };
}
