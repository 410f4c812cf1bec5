#!/usr/bin/env node
// First: the process may replace itself with one under the settings V8 and glibc read only at start-up.
import './apply-runtime-settings.ts';
import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { reportFailure } from './command-errors.ts';

/**
 * The one entry point: `cloudtrail-indexer <command>`. Each command lives in its own file under
 * src/bin/ and registers itself here; this file only assembles them and reports what they throw.
 */
type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs: the AWS SDK clients, the OpenSearch client
 * and the metrics of every command cost about 70 MB of resident memory together, and `transform` needs
 * none of them. Help, a version query or a mistyped command loads them all (help lists every command).
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['transform', async () => (await import('./transform.ts')).registerTransformCommand],
  ['backfill', async () => (await import('./backfill.ts')).registerBackfillCommand],
  ['worker', async () => (await import('./worker.ts')).registerWorkerCommand],
  ['pause', async () => (await import('./pause.ts')).registerPauseCommand],
  ['resume', async () => (await import('./resume.ts')).registerResumeCommand],
  ['status', async () => (await import('./status.ts')).registerStatusCommand],
  ['setup', async () => (await import('./setup.ts')).registerSetupCommand],
  ['retention', async () => (await import('./retention.ts')).registerRetentionCommand],
  ['redrive', async () => (await import('./redrive.ts')).registerRedriveCommand],
];

const program = new Command('cloudtrail-indexer')
  .description('Makes AWS CloudTrail searchable in OpenSearch.')
  .version(packageJson.version)
  .showHelpAfterError();

// No command takes options before its name, so the first bare word names the command.
const named = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const chosen = COMMANDS.filter(([name]) => name === named);
for (const [, load] of chosen.length > 0 ? chosen : COMMANDS) (await load())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The one place a command's failure becomes its sentence and exit status.
  process.exitCode = reportFailure(error, process.stderr);
}
