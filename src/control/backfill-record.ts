import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from '../core/describe-error.ts';

/**
 * What a `backfill --via-queue` has sent so far, kept in one SSM String parameter beside the pause
 * switch, so `status`, run anywhere, can say how much of the backfill remains: the files not yet
 * enqueued, plus the queue's backlog (which the workers are draining).
 */
export interface BackfillRecord {
  readonly source: string;
  readonly queueUrl: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Files of the selection listed so far, and whether that is the whole selection. */
  readonly listed: number;
  readonly listingComplete: boolean;
  /** Enqueued, by this run and by the runs before it (the checkpoint). */
  readonly enqueued: number;
  readonly failed: number;
  /** `running`, `done`, `stopped` (interrupted or failed: rerun the same command to go on). */
  readonly state: 'running' | 'done' | 'stopped';
}

/** The parameter beside the pause switch: `/cloudtrail-indexer/paused` → `/cloudtrail-indexer/backfill`. */
export function backfillParameterName(pauseParameterName: string): string {
  const slash = pauseParameterName.lastIndexOf('/');
  return `${slash >= 0 ? pauseParameterName.slice(0, slash + 1) : ''}backfill`;
}

export interface BackfillRecordStore {
  readonly parameterName: string;
  read(): Promise<BackfillRecord | undefined>;
  write(record: BackfillRecord): Promise<void>;
}

export function createBackfillRecordStore(
  ssm: Pick<SSMClient, 'send'>,
  parameterName: string,
): BackfillRecordStore {
  return {
    parameterName,
    async read() {
      try {
        const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName }));
        return JSON.parse(Parameter?.Value ?? 'null') ?? undefined;
      } catch (error) {
        if ((error as Error).name === 'ParameterNotFound') return undefined;
        throw new Error(
          `Cannot read the backfill record, SSM parameter ${parameterName}: ${describeError(error)}.`,
        );
      }
    },
    async write(record) {
      await ssm.send(
        new PutParameterCommand({
          Name: parameterName,
          Value: JSON.stringify(record),
          Type: 'String',
          Overwrite: true,
        }),
      );
    },
  };
}

/** Files of the backfill not yet enqueued (a lower bound while the listing goes on). */
export function notYetEnqueued(record: BackfillRecord): number {
  return Math.max(0, record.listed - record.enqueued - record.failed);
}
