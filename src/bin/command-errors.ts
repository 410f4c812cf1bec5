import type { Writable } from 'node:stream';
import { ConfigError } from '../config.ts';
import { PauseSwitchError } from '../control/pause-switch.ts';
import { QueueDepthError } from '../control/queue-depth.ts';
import { describeError } from '../core/describe-error.ts';

export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Exit statuses of the operator commands. */
export const ExitCode = { Ok: 0, Failed: 1, BadConfiguration: 2 } as const;

/**
 * Runs a command body and turns a failure into what an operator needs: one sentence on stderr
 * naming the culprit, a non-zero exit status, no stack trace.
 */
export async function runCommand(io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return ExitCode.BadConfiguration;
    }
    const known = error instanceof PauseSwitchError || error instanceof QueueDepthError;
    io.stderr.write(`error: ${known ? (error as Error).message : `${describeError(error)}.`}\n`);
    return ExitCode.Failed;
  }
}
