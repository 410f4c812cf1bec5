/** One element of a log file's `Records` array, as its exact source text. */
export interface RecordText {
  /** The element's JSON text, byte for byte as in the file. */
  readonly text: string;
  /** 1-based position in `Records`. */
  readonly recordNumber: number;
  /** Offset of the element's first byte in the decompressed file. */
  readonly byteOffset: number;
  /**
   * True when the splitter saw only numbers `JSON.parse` keeps exactly (integers of at most 15 digits,
   * not `-0`), so the text needs no exact-number scan; false when it saw one that may not be (a
   * fraction, an exponent, more digits, `-0`); absent when unknown.
   */
  readonly plainNumbers?: boolean;
}
