import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import { runResume } from '../operations/pause-ingestion.ts';
import { processIo } from './command-errors.ts';
import { createSsmClient, operatorName } from './control-clients.ts';

export function registerResumeCommand(program: Command): void {
  program
    .command('resume')
    .description('Resume ingestion on every worker after `pause`: receiving starts again within 30 s.')
    .action(async () => {
      const config = loadConfig(process.env);
      const pauseSwitch = createPauseSwitch(
        createSsmClient(config.AWS_REQUEST_TIMEOUT_SECONDS),
        config.PAUSE_PARAMETER_NAME,
      );
      process.exitCode = await runResume({ by: operatorName() }, pauseSwitch, processIo);
    });
}
