import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExitCode, OperatorError } from '../../core/operator-error.ts';
import { s3Refusal } from './object-error.ts';

/**
 * Asks S3 for the bucket before a listing starts, so that a wrong name or a missing grant stops the
 * command with one sentence naming the bucket (exit status 2, the configuration), not midway.
 */
export async function checkBucketReachable(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const refusal = s3Refusal(error);
    const why =
      refusal === 'missing'
        ? 'it does not exist'
        : refusal === 'denied'
          ? 'access is denied (s3:ListBucket)'
          : `${(error as Error).name}: ${(error as Error).message}`;
    throw new OperatorError(`bucket ${bucket} is not reachable: ${why}.`, {
      exitCode: ExitCode.BadConfiguration,
    });
  }
}
