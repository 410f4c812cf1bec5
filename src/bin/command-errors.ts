import type { Writable } from 'node:stream';
import type { CommandIo } from '../core/command-io.ts';
import { describeError } from '../core/describe-error.ts';
import { ExitCode, OperatorError } from '../core/operator-error.ts';

export type { CommandIo };
export { ExitCode };

export const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * What a command's failure becomes for the operator: one sentence on stderr naming the culprit and
 * the exit status, no stack trace. An `OperatorError` says both itself; anything else is unexpected
 * and shown by its name and message (exit status 1). cli.ts is the one caller.
 */
export function reportFailure(error: unknown, stderr: Pick<Writable, 'write'>): ExitCode {
  const sentence = error instanceof OperatorError ? error.message : describeError(error);
  stderr.write(`error: ${sentence.replace(/\.?$/, '.')}\n`);
  return error instanceof OperatorError ? error.exitCode : ExitCode.Failed;
}
