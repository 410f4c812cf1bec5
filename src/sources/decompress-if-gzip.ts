import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ByteSource } from '../core/byte-source.ts';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** Larger output chunks than zlib's 16 KiB default mean fewer trips through the splitter. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

/** Bytes that start like gzip do not decompress; the cause is zlib's own error. */
export class GzipError extends Error {
  override readonly name = 'GzipError';
}

/** The underlying byte stream failed, as opposed to its content being wrong. */
export class SourceReadError extends Error {
  override readonly name = 'SourceReadError';
}

/**
 * Yields the bytes of `source`, gunzipped when they start with the gzip magic bytes. The file name and
 * any Content-Encoding are deliberately ignored: CloudTrail writes `.json.gz` objects, but copies,
 * downloads and fixtures are often already decompressed (or compressed under a `.json` name).
 * Concatenated gzip members decompress as one stream, as with `gzip -d`.
 */
export async function* decompressIfGzip(source: ByteSource): AsyncGenerator<Buffer> {
  const iterator = readingErrorsWrapped(source)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    while (headBytes < 2) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
  } catch (error) {
    await iterator.return(undefined);
    throw error;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const bytes = replay(first, ended ? undefined : iterator);
  if (first.length < 2 || first[0] !== GZIP_MAGIC_0 || first[1] !== GZIP_MAGIC_1) {
    yield* bytes;
    return;
  }
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  let compressedBytes = 0;
  const counted = (async function* () {
    for await (const chunk of bytes) {
      compressedBytes += chunk.length;
      yield chunk;
    }
  })();
  // pipeline() ends or destroys both sides together: a read failure reaches the gunzip output, and
  // stopping early (the consumer breaks out) stops reading the source.
  pipeline(counted, gunzip, () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof SourceReadError) throw error;
    // zlib does not say where in its input it failed (trailing garbage after a member fails with the
    // member's output still unread), so the message names what is known: the compressed bytes read.
    throw new GzipError(
      `gzip data does not decompress (${(error as Error).message}) within the first ${compressedBytes} bytes of the file as stored`,
      { cause: error },
    );
  } finally {
    gunzip.destroy();
  }
}

async function* readingErrorsWrapped(source: ByteSource): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      if (chunk.length > 0) yield toBuffer(chunk);
    }
  } catch (error) {
    throw new SourceReadError(`reading the file failed (${(error as Error).message})`, { cause: error });
  }
}

async function* replay(first: Buffer, rest: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first;
    if (rest === undefined) return;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest?.return?.();
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
