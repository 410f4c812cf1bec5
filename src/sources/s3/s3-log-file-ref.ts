import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { LogFileRef } from '../../core/log-file-ref.ts';
import { openS3Object } from './open-s3-object.ts';

/** The pipeline's view of an S3 object. */
export function s3LogFileRef(
  s3: S3Client,
  object: { bucket: string; key: string; announcedAt?: string | undefined },
  options: {
    readonly maxBytes: number;
    /** Where a read that broke off and is resumed is logged. */
    readonly logger?: Logger | undefined;
  },
): LogFileRef {
  return {
    name: `s3://${object.bucket}/${object.key}`,
    key: object.key,
    bucket: object.bucket,
    announcedAt: object.announcedAt,
    open: (signal, stats) =>
      openS3Object(s3, object, { maxBytes: options.maxBytes, logger: options.logger, signal, stats }),
  };
}
