import type { ByteSource } from './byte-source.ts';

/** What a source tells about one read of a file, counted while it goes on. */
export interface ReadStats {
  /**
   * Times the read broke off midway and was resumed from the byte it reached (S3: a ranged GET with
   * `If-Match`). Each is a warn line and one more request; without this count the file's summary
   * line and the metrics would not show that it happened.
   */
  resumes: number;
}

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
  /**
   * Opens the bytes; throws `ObjectError` (or any error, taken as transient) when it cannot. A source
   * that can say more about the read counts it into `stats` as the bytes are read.
   */
  open(signal?: AbortSignal, stats?: ReadStats): Promise<ByteSource>;
  /** When the file was announced (the S3 event time), for the ingestion lag. */
  readonly announcedAt?: string | undefined;
  /**
   * Read it by its content even if its name is not a CloudTrail log file name: files an operator
   * points at on disk often lost their names. Digest files are skipped all the same.
   */
  readonly anyName?: boolean | undefined;
}
