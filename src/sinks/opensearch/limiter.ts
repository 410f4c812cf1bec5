/** Bounds how many bulk requests this process has in flight, across all files being written. */
export class Limiter {
  readonly #max: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`Limiter needs a positive whole number, got ${max}`);
    this.#max = max;
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves when a slot is free; call the returned function exactly once to free it. */
  async acquire(): Promise<() => void> {
    if (this.#active >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips below the bound.
      if (next) next();
      else this.#active -= 1;
    };
  }
}
