/** One element of a log file's `Records` array, as its exact source text. */
export interface RecordText {
  /** The element's JSON text, byte for byte as in the file. */
  readonly text: string;
  /** 1-based position in `Records`. */
  readonly recordNumber: number;
  /** Offset of the element's first byte in the decompressed file. */
  readonly byteOffset: number;
}
