import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { Selection } from '../core/log-file-selection.ts';
import { type ListingStats, listLogFiles } from '../sources/s3/list-log-files.ts';
import { s3LogFileRef } from '../sources/s3/s3-log-file-ref.ts';
import type { SelectedFiles } from './selected-files.ts';

// Apart from selected-files.ts, which every backfill loads: only a backfill of a bucket needs the S3 SDK.

/** A bucket's selection, listed as the work goes. */
export function s3SelectedFiles(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  selection: Selection,
  options: { maxBytes: number; concurrency: number; stats?: ListingStats; logger?: Logger },
): SelectedFiles {
  return async function* () {
    for await (const object of listLogFiles(s3, location, selection, options)) {
      yield {
        name: `s3://${object.bucket}/${object.key}`,
        key: object.key,
        size: object.size,
        object,
        ref: () => s3LogFileRef(s3, object, { maxBytes: options.maxBytes, logger: options.logger }),
      };
    }
  };
}
