/**
 * A queue between producers that run ahead (bucket listings, several at once) and one consumer
 * that takes items as it can: `push` waits while `capacity` items are waiting, so memory stays
 * bounded however long the listing is. The consumer iterates; when it stops early (break, throw),
 * the channel is cancelled and every waiting or later `push` resolves `false`, telling the
 * producers to stop.
 */
export class BoundedChannel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #head = 0;
  #closed = false;
  #cancelled = false;
  #error: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducers: Array<() => void> = [];

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Resolves `true` once the item is queued, `false` if the consumer is gone (stop producing). */
  async push(item: T): Promise<boolean> {
    while (this.#items.length - this.#head >= this.#capacity && !this.#cancelled) {
      await new Promise<void>((resolve) => this.#wakeProducers.push(resolve));
    }
    if (this.#cancelled || this.#closed) return false;
    this.#items.push(item);
    this.#wake();
    return true;
  }

  /** No more items; with an error, the consumer throws it after the items already queued. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.#head < this.#items.length) {
          const item = this.#items[this.#head] as T;
          // Release the slot at once: a taken page must not stay reachable until the next compaction.
          (this.#items as Array<T | undefined>)[this.#head] = undefined;
          this.#head++;
          if (this.#head >= 64 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#head = 0;
          }
          for (const wake of this.#wakeProducers.splice(0)) wake();
          yield item;
          continue;
        }
        if (this.#closed) {
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      this.#cancel();
    }
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #cancel(): void {
    this.#cancelled = true;
    this.#items = [];
    this.#head = 0;
    for (const wake of this.#wakeProducers.splice(0)) wake();
  }
}
