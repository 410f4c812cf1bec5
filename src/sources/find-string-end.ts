const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** `findStringEnd` result: the chunk ends inside the string. */
export const STRING_CONTINUES = -1;
/** `findStringEnd` result: the chunk ends inside the string on an unfinished escape (`\`). */
export const STRING_CONTINUES_ESCAPED = -2;

/**
 * Finds the closing quote of a JSON string whose content continues at `from` in `chunk`, jumping
 * from quote to quote with the native `indexOf` and counting the backslashes before each. `escaped`
 * says the byte at `from` is escaped (the previous chunk ended on `\`). Returns the quote's index, or
 * one of the `STRING_CONTINUES*` values to carry into the next chunk. UTF-8 is safe to scan bytewise:
 * no byte of a multi-byte character is below 0x80.
 */
export function findStringEnd(chunk: Uint8Array, from: number, escaped: boolean): number {
  let i = escaped ? from + 1 : from;
  const len = chunk.length;
  while (i < len) {
    const quote = chunk.indexOf(QUOTE, i);
    if (quote < 0) break;
    if (backslashesBefore(chunk, quote, i) % 2 === 0) return quote;
    i = quote + 1;
  }
  // The escaped byte itself is still to come.
  if (i > len) return STRING_CONTINUES_ESCAPED;
  return backslashesBefore(chunk, len, i) % 2 === 1 ? STRING_CONTINUES_ESCAPED : STRING_CONTINUES;
}

function backslashesBefore(chunk: Uint8Array, index: number, floor: number): number {
  let count = 0;
  for (let j = index - 1; j >= floor && chunk[j] === BACKSLASH; j--) count++;
  return count;
}
