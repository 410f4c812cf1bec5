/** The bytes of a fingerprint the set keeps: the first 16 of a SHA-256 (as a one-byte string). */
export const FINGERPRINT_BYTES = 16;
const WORDS = FINGERPRINT_BYTES / 4;
const MAX_LOAD = 0.75;

/**
 * A set of fingerprints (the first 16 bytes of a SHA-256 each, given as a `binary` (latin1) string, one
 * character per byte: what `crypto.hash` makes fastest) in one flat typed array, open addressing with
 * linear probing. Hand-written because of what a resumed backfill holds: one
 * fingerprint per file previous runs completed. A `Set` of 32-character strings took ~75 bytes per
 * file (75 MB per million, bench/checkpoint-resume.ts); here a fingerprint takes 16 bytes of a table
 * at most three quarters full, 21–43 bytes per file. The fingerprints are uniformly random, so their
 * first word is the slot, with no hashing of its own. An all-zero slot is empty; the all-zero
 * fingerprint itself (a chance of 2^-128) is remembered apart.
 */
export class FingerprintSet {
  #words = new Uint32Array(16 * WORDS);
  #size = 0;
  #hasZero = false;

  get size(): number {
    return this.#size;
  }

  /** Adds the fingerprint (its first FINGERPRINT_BYTES bytes); false if it was there already. */
  add(print: string): boolean {
    if (isZero(print)) {
      if (this.#hasZero) return false;
      this.#hasZero = true;
    } else {
      if (this.#find(print) >= 0) return false;
      if ((this.#size + 1) * WORDS > this.#words.length * MAX_LOAD) this.#grow();
      this.#put(wordAt(print, 0), wordAt(print, 4), wordAt(print, 8), wordAt(print, 12));
    }
    this.#size++;
    return true;
  }

  has(print: string): boolean {
    return isZero(print) ? this.#hasZero : this.#find(print) >= 0;
  }

  /** The fingerprint's slot (its first word's index), or -1 once an empty slot says it is absent. */
  #find(print: string): number {
    const a = wordAt(print, 0);
    const b = wordAt(print, 4);
    const c = wordAt(print, 8);
    const d = wordAt(print, 12);
    const words = this.#words;
    const mask = words.length / WORDS - 1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const i = slot * WORDS;
      if (words[i] === a && words[i + 1] === b && words[i + 2] === c && words[i + 3] === d) return i;
      if (isEmpty(words, i)) return -1;
    }
  }

  /** Writes a fingerprint known to be absent into the first empty slot of its run. */
  #put(a: number, b: number, c: number, d: number): void {
    const words = this.#words;
    const mask = words.length / WORDS - 1;
    let slot = a & mask;
    while (!isEmpty(words, slot * WORDS)) slot = (slot + 1) & mask;
    const i = slot * WORDS;
    words[i] = a;
    words[i + 1] = b;
    words[i + 2] = c;
    words[i + 3] = d;
  }

  /** Twice the slots, every fingerprint placed again. */
  #grow(): void {
    const old = this.#words;
    this.#words = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += WORDS) {
      if (!isEmpty(old, i)) this.#put(old[i]!, old[i + 1]!, old[i + 2]!, old[i + 3]!);
    }
  }
}

function isEmpty(words: Uint32Array, i: number): boolean {
  return (words[i]! | words[i + 1]! | words[i + 2]! | words[i + 3]!) === 0;
}

const ZERO = '\0'.repeat(FINGERPRINT_BYTES);

/** Whether it is the all-zero fingerprint, the one an empty slot cannot hold; refuses a short one. */
function isZero(print: string): boolean {
  if (print.length < FINGERPRINT_BYTES)
    throw new RangeError(`a fingerprint has at least ${FINGERPRINT_BYTES} bytes, not ${print.length}`);
  return print.startsWith(ZERO);
}

/** The little-endian word of four one-byte characters from `at`. */
function wordAt(print: string, at: number): number {
  return (
    (print.charCodeAt(at) |
      (print.charCodeAt(at + 1) << 8) |
      (print.charCodeAt(at + 2) << 16) |
      (print.charCodeAt(at + 3) << 24)) >>>
    0
  );
}
