/** A file's bytes: a Node stream, an S3 `Body`, or chunks in memory. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
