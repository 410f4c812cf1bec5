/** Rejects a wait for room because receiving stopped (pause or shutdown); not a failure. */
export class ReceiveCancelled extends Error {
  constructor() {
    super('receiving stopped while waiting for a free file slot');
    this.name = 'ReceiveCancelled';
  }
}

/**
 * Decides when the worker may receive again: while at most `maxHeldBeforeReceive` messages are held
 * (received and not yet settled). With the number of files in flight as that bound, the next batch is
 * asked for while the current one still runs its last files, and waits in the process for free slots
 * instead of the slots waiting for the batch's slowest file; so at most that bound plus one batch of
 * messages is held at a time.
 */
export class ReceiveGate {
  readonly #maxHeldBeforeReceive: number;
  #held = 0;
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(maxHeldBeforeReceive: number) {
    this.#maxHeldBeforeReceive = maxHeldBeforeReceive;
  }

  get held(): number {
    return this.#held;
  }

  /** Resolves once a receive may be made; rejects with ReceiveCancelled when `cancel()` comes first. */
  untilRoom(): Promise<void> {
    if (this.#held <= this.#maxHeldBeforeReceive) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** A received message is now held until `release()`. */
  hold(): void {
    this.#held += 1;
  }

  release(): void {
    this.#held -= 1;
    if (this.#held <= this.#maxHeldBeforeReceive) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  /** Receiving stopped: whoever waits for room must not receive. */
  cancel(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(new ReceiveCancelled());
  }
}
