import type { Logger } from 'pino';
import {
  classifyObjectKey,
  hasControlCharacter,
  LogFileKind,
  type ObjectKeyInfo,
} from '../core/classify-object-key.ts';
import { FailureCode } from '../core/failure-code.ts';
import { type FileResult, FileStatus } from '../core/file-result.ts';
import { LogFileError, LogFileErrorReason } from '../core/log-file-error.ts';
import type { LogFileRef, ReadStats } from '../core/log-file-ref.ts';
import type { DocumentSink, FileWriteResult } from '../core/sink-port.ts';
import { ObjectError } from '../sources/s3/object-error.ts';
import {
  flagCountsOf,
  hostileContentOf,
  newTransformStats,
  type TransformOptions,
  transformLogFile,
} from './transform-log-file.ts';

export interface PipelineDeps {
  readonly sink: DocumentSink;
  readonly transform: TransformOptions;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Reads one log file, transforms its events and delivers them: the one code path of the worker and
 * the backfill. Expected per-file failures come back as a result, never as an exception, and the file
 * gets exactly one summary log line.
 */
export async function processLogFile(
  ref: LogFileRef,
  deps: PipelineDeps,
  signal?: AbortSignal,
): Promise<FileResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const reading: ReadStats = { resumes: 0 };
  const finish = (status: FileStatus, rest: Partial<FileResult> = {}): FileResult => {
    const ended = now();
    const announced = ref.announcedAt ? Date.parse(ref.announcedAt) : Number.NaN;
    const result: FileResult = {
      file: ref.name,
      status,
      events: 0,
      repaired: 0,
      failed: 0,
      indexes: [],
      blocked: false,
      ...rest,
      // Whatever the outcome: a read that failed after its resumes is where the count matters most.
      ...(reading.resumes > 0 ? { readResumes: reading.resumes } : {}),
      durationMs: ended - started,
      lagSeconds:
        status === FileStatus.Indexed && Number.isFinite(announced) ? (ended - announced) / 1000 : undefined,
    };
    logSummary(deps.logger, result, ref.bucket ? { bucket: ref.bucket, key: ref.key } : {});
    return result;
  };

  if (hasControlCharacter(ref.key)) {
    // No CloudTrail key holds one; a newline in a name can forge lines in lists and checkpoints.
    return finish(FileStatus.Rejected, {
      failure: FailureCode.KeyControlCharacters,
      reason: `key-control-characters: the key ${JSON.stringify(ref.key)} contains control characters: no CloudTrail key does, refused`,
    });
  }
  const keyInfo = classifyObjectKey(ref.key);
  const skipped = skipReasonOf(keyInfo, ref.anyName);
  if (skipped !== undefined) return finish(FileStatus.Skipped, { reason: skipped });

  let written: FileWriteResult;
  const stats = newTransformStats();
  try {
    const bytes = await ref.open(signal, reading);
    const documents = transformLogFile(bytes, { name: ref.name, keyInfo }, deps.transform, stats);
    written = await deps.sink.writeFile(documents, signal ? { file: ref.name, signal } : { file: ref.name });
  } catch (error) {
    const [status, rest] = classifyFileError(error);
    return finish(status, { ...rest, flagged: flagCountsOf(stats) });
  }

  const counts = {
    events: written.accepted,
    repaired: written.repaired,
    failed: written.failed.length,
    ...(written.interrupted > 0 ? { interrupted: written.interrupted } : {}),
    indexes: written.indexes,
    blocked: written.blocked,
    flagged: flagCountsOf(stats),
    ...(written.unchanged > 0 ? { unchanged: written.unchanged } : {}),
    ...(written.conflicts.length > 0 ? { conflicts: written.conflicts.length } : {}),
  };
  if (written.ok && written.conflicts.length > 0) {
    // Retrying cannot help: the other file's document stays, and someone must decide which is true.
    const first = written.conflicts[0]!;
    return finish(FileStatus.Rejected, {
      ...counts,
      failure: FailureCode.IdConflict,
      reason: `id-conflict: ${written.conflicts.length} of ${stats.documents} events have an _id already indexed from another file with other content, and were not written (first: ${first.reason})`,
    });
  }
  if (written.ok) {
    // Every event is delivered (folded or rerouted where hostile), but the file is not what CloudTrail
    // writes: it is set aside with the reason, for someone to look at who wrote it.
    const hostile = hostileContentOf(stats);
    if (hostile) return finish(FileStatus.Rejected, { ...counts, ...hostile });
    return finish(FileStatus.Indexed, counts);
  }
  const reason = written.aborted
    ? 'stopped before every event was delivered (shutdown)'
    : `${written.failed.length} of ${stats.documents} events not accepted by OpenSearch (first: ${written.failed[0]?.reason ?? 'unknown'})`;
  // Documents the sink could not deliver after its retries stay undelivered: another attempt later
  // (and, past the queue's receive count, the dead-letter queue) keeps them from being lost.
  const failure = written.aborted
    ? FailureCode.Interrupted
    : written.blocked
      ? FailureCode.Blocked
      : FailureCode.DocumentsRejected;
  return finish(FileStatus.Retry, { ...counts, reason, failure });
}

/**
 * Why a file is skipped by its name alone, or undefined when it is read: digest files never are, files
 * whose names are not CloudTrail's only when asked (`anyName`). The worker, backfill and `transform` rule.
 */
export function skipReasonOf(keyInfo: ObjectKeyInfo, anyName = false): string | undefined {
  if (keyInfo.kind === LogFileKind.Digest || (keyInfo.kind === LogFileKind.Other && !anyName)) {
    return keyInfo.reason;
  }
  return undefined;
}

function classifyFileError(error: unknown): [FileStatus, Partial<FileResult>] {
  // A resumed S3 read that found the object replaced or deleted fails the byte stream (read-failed)
  // with S3's verdict as the cause: the verdict is the outcome.
  const objectError =
    error instanceof LogFileError && error.cause instanceof ObjectError ? error.cause : error;
  if (objectError instanceof ObjectError) {
    return [
      objectError.permanent ? FileStatus.Rejected : FileStatus.Retry,
      { reason: `${objectError.reason}: ${objectError.message}`, failure: objectError.reason },
    ];
  }
  if (error instanceof LogFileError) {
    if (error.reason === LogFileErrorReason.DigestFile)
      return [FileStatus.Skipped, { reason: error.message }];
    const status = error.reason === LogFileErrorReason.ReadFailed ? FileStatus.Retry : FileStatus.Rejected;
    return [status, { reason: `${error.reason}: ${error.message}`, failure: error.reason }];
  }
  // Anything else (a network error opening the file, an OpenSearch client failure) is taken as
  // transient: the file is retried later rather than set aside.
  return [
    FileStatus.Retry,
    { reason: `unexpected: ${(error as Error)?.message ?? String(error)}`, failure: FailureCode.Other },
  ];
}

function logSummary(logger: Logger, result: FileResult, location: { bucket?: string; key?: string }): void {
  const fields = {
    file: result.file,
    ...location,
    outcome: result.status,
    events: result.events,
    repaired: result.repaired,
    failed: result.failed,
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    indexes: result.indexes,
    ...(result.flagged ? { flagged: result.flagged } : {}),
    ...(result.unchanged ? { unchanged: result.unchanged } : {}),
    ...(result.conflicts ? { conflicts: result.conflicts } : {}),
    ...(result.readResumes ? { readResumes: result.readResumes } : {}),
    durationMs: Math.round(result.durationMs),
    ...(result.lagSeconds !== undefined ? { lagSeconds: Math.round(result.lagSeconds) } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  };
  switch (result.status) {
    case FileStatus.Indexed:
      logger.info(fields, 'log file indexed');
      break;
    case FileStatus.Skipped:
      logger.debug(fields, 'log file skipped');
      break;
    case FileStatus.Retry:
      logger.warn(fields, 'log file will be retried');
      break;
    case FileStatus.Rejected:
      logger.error(fields, 'log file rejected');
      break;
  }
}
