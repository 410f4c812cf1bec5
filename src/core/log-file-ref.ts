import type { ByteSource } from './byte-source.ts';

/**
 * One log file to process, wherever it lives. The worker makes these from notifications, the
 * backfill from bucket listings or a directory walk; the pipeline only ever sees this.
 */
export interface LogFileRef {
  /** How logs and results name the file: `s3://bucket/key` or a local path. */
  readonly name: string;
  /** The object key or path whose file name says what the file is (URL-decoded). */
  readonly key: string;
  /** The bucket, for S3 objects. */
  readonly bucket?: string | undefined;
  /** Opens the bytes; throws `ObjectError` (or any error, taken as transient) when it cannot. */
  open(signal?: AbortSignal): Promise<ByteSource>;
  /** When the file was announced (the S3 event time), for the ingestion lag. */
  readonly announcedAt?: string | undefined;
  /**
   * Read it by its content even if its name is not a CloudTrail log file name: files an operator
   * points at on disk often lost their names. Digest files are skipped all the same.
   */
  readonly anyName?: boolean | undefined;
}
