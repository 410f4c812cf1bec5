import type { Client } from '@opensearch-project/opensearch';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { OperatorError } from '../../core/operator-error.ts';
import { type RetryOptions, withRetries } from './backoff.ts';
import { classifyRequestFailure } from './classify-failure.ts';
import type { SinkCounters } from './sink-counters.ts';

export class IndexCreationError extends OperatorError {
  override readonly name: string = 'IndexCreationError';
  readonly index: string;

  constructor(index: string, cause: unknown) {
    super(`Could not create index ${index}: ${classifyRequestFailure(cause).reason}`, { cause });
    this.index = index;
  }
}

export interface IndexManagerDeps {
  readonly client: Client;
  readonly logger: Logger;
  readonly counters: SinkCounters;
  readonly retry: RetryOptions;
}

function alreadyExists(error: unknown): boolean {
  const body = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
  return body?.error?.type === 'resource_already_exists_exception';
}

/**
 * Creates each index explicitly before its first write (the index template supplies settings and
 * mappings), replacing the old Lambda's reserved-concurrency-of-one workaround:
 * - writers that need the same new index share one creation;
 * - creations run one at a time per process, so a month boundary does not storm the master;
 * - an index another process created meanwhile (`resource_already_exists_exception`) is success;
 * - known indexes are cached, so the steady state costs no request at all.
 */
export class IndexManager {
  readonly #deps: IndexManagerDeps;
  readonly #known = new Set<string>();
  readonly #pending = new Map<string, Promise<void>>();
  /** One creation at a time per process. */
  readonly #oneAtATime = pLimit(1);

  constructor(deps: IndexManagerDeps) {
    this.#deps = deps;
  }

  isKnown(index: string): boolean {
    return this.#known.has(index);
  }

  ensure(index: string): Promise<void> {
    if (this.#known.has(index)) return Promise.resolve();
    let pending = this.#pending.get(index);
    if (!pending) {
      pending = this.#oneAtATime(() => this.#create(index)).finally(() => this.#pending.delete(index));
      this.#pending.set(index, pending);
    }
    return pending;
  }

  /** Forgets an index that turned out to be missing (deleted by retention, for instance). */
  forget(index: string): void {
    this.#known.delete(index);
  }

  async #create(index: string): Promise<void> {
    if (this.#known.has(index)) return;
    const { client, logger, counters, retry } = this.#deps;
    try {
      await withRetries(() => client.indices.create({ index }), retry);
      counters.indexesCreated += 1;
      logger.info({ index }, 'created index');
    } catch (error) {
      if (!alreadyExists(error)) throw new IndexCreationError(index, error);
      counters.indexesAlreadyExisting += 1;
      logger.debug({ index }, 'index already exists');
    }
    this.#known.add(index);
  }
}
