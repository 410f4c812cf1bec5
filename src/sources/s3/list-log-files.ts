import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { datePrefixes, isSelected, type Selection } from '../../backfill/selection.ts';
import { classifyObjectKey, LogFileKind } from '../classify-object-key.ts';

export interface ListedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
}

export interface ListingStats {
  /** ListObjectsV2 requests made: the cost a backfill's discovery adds. */
  requests: number;
  /** Prefixes listed object by object (the leaves of the discovery). */
  readonly leafPrefixes: string[];
}

/** Log files live under `[prefix/]AWSLogs/[o-org/]ACCOUNT/{CloudTrail,CloudTrail-Insight}/REGION/YYYY/MM/DD/`. */
const SERVICES = ['CloudTrail/', 'CloudTrail-Insight/'] as const;

/**
 * The selected CloudTrail and Insights log files of a bucket, without scanning the bucket: the
 * folders above the dates are discovered with delimiter listings (filtered by account and region as
 * they are found), then only the date prefixes of the selection are listed. Digest files are never
 * listed (their folder is not visited).
 */
export async function* listLogFiles(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  selection: Selection,
  stats: ListingStats = { requests: 0, leafPrefixes: [] },
): AsyncGenerator<ListedObject> {
  const { bucket } = location;
  const base =
    location.prefix === '' || location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/`;
  const root = `${base}AWSLogs/`;

  const folders = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    let token: string | undefined;
    do {
      stats.requests++;
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) found.push(common.Prefix);
      token = page.NextContinuationToken;
    } while (token);
    return found;
  };
  const lastPart = (folder: string): string => folder.slice(0, -1).split('/').pop() as string;

  const accountFolders: string[] = [];
  for (const folder of await folders(root)) {
    const name = lastPart(folder);
    if (/^o-[a-z0-9]+$/.test(name)) accountFolders.push(...(await folders(folder)));
    else accountFolders.push(folder);
  }
  for (const accountFolder of accountFolders) {
    const account = lastPart(accountFolder);
    if (!/^\d{12}$/.test(account)) continue;
    if (selection.accounts.length > 0 && !selection.accounts.includes(account)) continue;
    for (const service of SERVICES) {
      for (const regionFolder of await folders(`${accountFolder}${service}`)) {
        if (selection.regions.length > 0 && !selection.regions.includes(lastPart(regionFolder))) continue;
        const years = (await folders(regionFolder)).map(lastPart).filter((year) => /^\d{4}$/.test(year));
        for (const datePrefix of datePrefixes(years, selection)) {
          const prefix = `${regionFolder}${datePrefix}`;
          stats.leafPrefixes.push(prefix);
          let token: string | undefined;
          do {
            stats.requests++;
            const page = await s3.send(
              new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            );
            for (const object of page.Contents ?? []) {
              if (!object.Key) continue;
              const info = classifyObjectKey(object.Key);
              if (info.kind !== LogFileKind.CloudTrail && info.kind !== LogFileKind.Insight) continue;
              if (!isSelected(info, selection)) continue;
              yield { bucket, key: object.Key, size: object.Size ?? 0 };
            }
            token = page.NextContinuationToken;
          } while (token);
        }
      }
    }
  }
}
