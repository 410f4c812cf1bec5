import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type BackfillRequest, runBackfillCommand } from '../../../src/backfill/backfill-command.ts';
import { parseSelection } from '../../../src/backfill/selection.ts';
import { ExitCode, OperatorError } from '../../../src/core/operator-error.ts';
import { corpusPath } from '../../helpers/corpus.ts';

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A dry run of a local folder: the part of the command that needs neither OpenSearch nor AWS. */
async function dryRun(folder: string, selection = parseSelection({})) {
  const stdout = new Collector();
  const request: BackfillRequest = {
    source: { kind: 'local', folder },
    given: folder,
    selection,
    concurrency: 1,
    listConcurrency: 1,
    maxBacklog: 10,
    mode: { kind: 'dry-run' },
  };
  const status = await runBackfillCommand(request, {
    s3: undefined,
    logger: pino({ level: 'silent' }),
    io: { stdout, stderr: new Collector() },
    tty: false,
  });
  return { status, stdout: stdout.text };
}

describe('runBackfillCommand (the backfill command, without a cluster)', () => {
  it('prints the plan of a dry run and ends with 0', async () => {
    const { status, stdout } = await dryRun(corpusPath('logs'));
    expect(status).toBe(ExitCode.Ok);
    expect(stdout).toMatch(/\d+ files?/);
  });

  it('stops with one sentence, status 1, when nothing matches the selection', async () => {
    const folder = corpusPath('logs');
    const error = await dryRun(folder, parseSelection({ account: ['000000000000'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as OperatorError).message).toBe(
      `no CloudTrail log files in ${folder} match the selection.`,
    );
    expect((error as OperatorError).exitCode).toBe(ExitCode.Failed);
  });

  it('names the source as given when it cannot be listed', async () => {
    const folder = join(corpusPath('logs'), 'no-such-folder');
    const error = await dryRun(folder).catch((e: unknown) => e);
    expect((error as OperatorError).message).toMatch(/^cannot list .*no-such-folder \(.*ENOENT/);
    expect((error as OperatorError).exitCode).toBe(ExitCode.Failed);
  });
});
