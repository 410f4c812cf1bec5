import {
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { type ListingStats, listLogFiles } from '../../../../src/sources/s3/list-log-files.ts';

const ACCOUNT = '111111111111';
const day = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/05/31/`;
const keyOf = (n: number): string =>
  `${day}${ACCOUNT}_CloudTrail_us-east-1_20240531T0000Z_${String(n).padStart(8, '0')}.json.gz`;

/** A bucket of one account, region and day holding `pages` pages of 1,000 log files, served as S3 would. */
function fakeBucket(pages: number): S3Client {
  const folders: Record<string, string[]> = {
    'AWSLogs/': [`AWSLogs/${ACCOUNT}/`],
    [`AWSLogs/${ACCOUNT}/CloudTrail/`]: [`AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/`],
    [`AWSLogs/${ACCOUNT}/CloudTrail-Insight/`]: [],
    [`AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/`]: [`AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/`],
  };
  const send = async (command: {
    input: ListObjectsV2CommandInput;
  }): Promise<Partial<ListObjectsV2CommandOutput>> => {
    const { Prefix = '', Delimiter, ContinuationToken } = command.input;
    if (Delimiter) return { CommonPrefixes: (folders[Prefix] ?? []).map((p) => ({ Prefix: p })) };
    const page = Number(ContinuationToken ?? 0);
    return {
      Contents: Array.from({ length: 1000 }, (_, n) => ({ Key: keyOf(page * 1000 + n), Size: 10 })),
      NextContinuationToken: page + 1 < pages ? String(page + 1) : undefined,
    };
  };
  // The SDK's paginator checks for an S3Client; the requests are what this stand-in answers.
  return Object.assign(Object.create(S3Client.prototype) as S3Client, { send, config: {} });
}

describe('listLogFiles', () => {
  it('lists ahead of its consumer by a bounded number of pages, whatever the size of the selection', async () => {
    const stats: ListingStats = { requests: 0, leafPrefixes: [] };
    const listing = listLogFiles(
      fakeBucket(500),
      { bucket: 'b', prefix: '' },
      { accounts: [], regions: [], from: '2024-05-31', to: '2024-05-31' },
      {
        stats,
        concurrency: 2,
        pagesAhead: 3,
      },
    );
    let taken = 0;
    for await (const _ of listing) {
      if (++taken === 1500) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pageRequests = stats.requests - 4; // AWSLogs/, CloudTrail/, CloudTrail-Insight/, the region's years
    expect(pageRequests).toBeGreaterThanOrEqual(2);
    expect(pageRequests).toBeLessThanOrEqual(2 + 3 + 1);
  });

  it('yields every selected object exactly once', async () => {
    const keys = new Set<string>();
    let count = 0;
    for await (const object of listLogFiles(
      fakeBucket(7),
      { bucket: 'b', prefix: '' },
      { accounts: [], regions: [] },
    )) {
      keys.add(object.key);
      count++;
    }
    expect(count).toBe(7000);
    expect(keys.size).toBe(7000);
  });
});
