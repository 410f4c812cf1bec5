import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { ACCOUNT_ID, classifyObjectKey, LogFileKind } from '../../core/classify-object-key.ts';
import { datePrefixes, isSelected, type Selection } from '../../core/log-file-selection.ts';
import { BoundedChannel } from '../bounded-channel.ts';

export interface ListedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** The ETag S3 listed (quotes removed), for notifications that must look like S3's own. */
  readonly eTag?: string | undefined;
}

export interface ListingStats {
  /** ListObjectsV2 requests made: the cost a backfill's discovery adds. */
  requests: number;
  /** Prefixes listed object by object (the leaves of the discovery). */
  readonly leafPrefixes: string[];
}

export interface ListingOptions {
  readonly stats?: ListingStats | undefined;
  /** ListObjectsV2 requests (or paginated listings of one prefix) under way at once. */
  readonly concurrency?: number | undefined;
  /** Pages (up to 1,000 objects each) listed ahead of the consumer. */
  readonly pagesAhead?: number | undefined;
}

/** Log files live under `[prefix/]AWSLogs/[o-org/]ACCOUNT/{CloudTrail,CloudTrail-Insight}/REGION/YYYY/MM/DD/`. */
const SERVICES = ['CloudTrail/', 'CloudTrail-Insight/'] as const;

/**
 * The selected CloudTrail and Insights log files of a bucket, as a stream, without scanning the
 * bucket: the folders above the dates are discovered with delimiter listings (filtered by account
 * and region as they are found), then only the date prefixes of the selection are listed. Listings
 * of different prefixes run concurrently (bounded), and run ahead of the consumer by a bounded
 * number of pages, so memory does not grow with the number of files. Order across prefixes is not
 * defined. Digest files are never listed (their folder is not visited).
 */
export async function* listLogFiles(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  selection: Selection,
  options: ListingOptions = {},
): AsyncGenerator<ListedObject> {
  const stats = options.stats ?? { requests: 0, leafPrefixes: [] };
  const concurrency = options.concurrency ?? 8;
  const limit = pLimit(concurrency);
  const channel = new BoundedChannel<ListedObject[]>(options.pagesAhead ?? concurrency * 2);
  const { bucket } = location;
  const base =
    location.prefix === '' || location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/`;
  const root = `${base}AWSLogs/`;
  const lastPart = (folder: string): string => folder.slice(0, -1).split('/').pop() as string;

  const folders = (prefix: string): Promise<string[]> =>
    limit(async () => {
      const found: string[] = [];
      if (channel.cancelled) return found;
      for await (const page of paginateListObjectsV2(
        { client: s3 },
        { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
      )) {
        stats.requests++;
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) found.push(common.Prefix);
      }
      return found;
    });

  const listLeaf = (prefix: string): Promise<void> =>
    limit(async () => {
      if (channel.cancelled) return;
      stats.leafPrefixes.push(prefix);
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        stats.requests++;
        const objects: ListedObject[] = [];
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          const info = classifyObjectKey(object.Key);
          if (info.kind !== LogFileKind.CloudTrail && info.kind !== LogFileKind.Insight) continue;
          if (!isSelected(info, selection)) continue;
          objects.push({
            bucket,
            key: object.Key,
            size: object.Size ?? 0,
            eTag: object.ETag?.replaceAll('"', ''),
          });
        }
        if (objects.length > 0 && !(await channel.push(objects))) return;
      }
    });

  const listRegion = async (regionFolder: string): Promise<void> => {
    const years = (await folders(regionFolder)).map(lastPart).filter((year) => /^\d{4}$/.test(year));
    await Promise.all(
      datePrefixes(years, selection).map((datePrefix) => listLeaf(`${regionFolder}${datePrefix}`)),
    );
  };

  const listAccount = async (accountFolder: string): Promise<void> => {
    const account = lastPart(accountFolder);
    if (!ACCOUNT_ID.test(account)) return;
    if (selection.accounts.length > 0 && !selection.accounts.includes(account)) return;
    await Promise.all(
      SERVICES.map(async (service) => {
        const regions = (await folders(`${accountFolder}${service}`)).filter(
          (regionFolder) =>
            selection.regions.length === 0 || selection.regions.includes(lastPart(regionFolder)),
        );
        await Promise.all(regions.map(listRegion));
      }),
    );
  };

  const produce = async (): Promise<void> => {
    await Promise.all(
      (await folders(root)).map(async (folder) => {
        if (/^o-[a-z0-9]+$/.test(lastPart(folder)))
          await Promise.all((await folders(folder)).map(listAccount));
        else await listAccount(folder);
      }),
    );
  };
  produce().then(
    () => channel.close(),
    (error: unknown) => channel.close(error),
  );
  for await (const page of channel) yield* page;
}
