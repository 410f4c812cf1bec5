#!/usr/bin/env node
// First: a backfill listing S3 fixes V8's heap growth before anything else loads (see the module).
import './bound-heap-growth-early.ts';
import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { registerBackfillCommand } from './backfill.ts';
import { reportFailure } from './command-errors.ts';
import { registerPauseCommand } from './pause.ts';
import { registerRedriveCommand } from './redrive.ts';
import { registerResumeCommand } from './resume.ts';
import { registerRetentionCommand } from './retention.ts';
import { registerSetupCommand } from './setup.ts';
import { registerStatusCommand } from './status.ts';
import { registerTransformCommand } from './transform.ts';
import { registerWorkerCommand } from './worker.ts';

/**
 * The one entry point: `cloudtrail-indexer <command>`. Each command lives in its own file under
 * src/bin/ and registers itself here; this file only assembles them and reports what they throw.
 */
const program = new Command('cloudtrail-indexer')
  .description('Makes AWS CloudTrail searchable in OpenSearch.')
  .version(packageJson.version)
  .showHelpAfterError();

registerTransformCommand(program);
registerBackfillCommand(program);
registerWorkerCommand(program);
registerPauseCommand(program);
registerResumeCommand(program);
registerStatusCommand(program);
registerSetupCommand(program);
registerRetentionCommand(program);
registerRedriveCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The one place a command's failure becomes its sentence and exit status.
  process.exitCode = reportFailure(error, process.stderr);
}
