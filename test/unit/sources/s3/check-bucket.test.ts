import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ExitCode, OperatorError } from '../../../../src/core/operator-error.ts';
import { checkBucketReachable } from '../../../../src/sources/s3/check-bucket.ts';

/** An S3 client whose HeadBucket fails with an error of the given name. */
function failingWith(name: string, message = 'no'): S3Client {
  return {
    send: async () => {
      throw Object.assign(new Error(message), { name });
    },
  } as unknown as S3Client;
}

async function sentence(s3: S3Client): Promise<OperatorError> {
  const error = await checkBucketReachable(s3, 'trail-bucket').catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(OperatorError);
  expect((error as OperatorError).exitCode).toBe(ExitCode.BadConfiguration);
  return error as OperatorError;
}

describe('checkBucketReachable', () => {
  it('passes a bucket HeadBucket answers', async () => {
    const s3 = { send: async () => ({}) } as unknown as S3Client;
    await expect(checkBucketReachable(s3, 'trail-bucket')).resolves.toBeUndefined();
  });

  it('says in one sentence why the bucket cannot be listed, naming it', async () => {
    expect((await sentence(failingWith('NotFound'))).message).toBe(
      'bucket trail-bucket is not reachable: it does not exist.',
    );
    expect((await sentence(failingWith('NoSuchBucket'))).message).toContain('it does not exist');
    expect((await sentence(failingWith('Forbidden'))).message).toBe(
      'bucket trail-bucket is not reachable: access is denied (s3:ListBucket).',
    );
    expect((await sentence(failingWith('AccessDenied'))).message).toContain('access is denied');
    expect((await sentence(failingWith('TimeoutError', 'socket hang up'))).message).toBe(
      'bucket trail-bucket is not reachable: TimeoutError: socket hang up.',
    );
  });
});
