import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import { runPause } from '../operations/pause-ingestion.ts';
import { processIo } from './command-errors.ts';
import { createSsmClient, operatorName } from './control-clients.ts';

export function registerPauseCommand(program: Command): void {
  program
    .command('pause')
    .description(
      'Pause ingestion on every worker (shared SSM parameter PAUSE_PARAMETER_NAME): in-flight files finish, ' +
        'receiving stops within 30 s, workers stay up and healthy, messages wait in the queue.',
    )
    .option('--reason <text>', 'why, recorded with who and when (shown by status)')
    .action(async (flags: { reason?: string }) => {
      const config = loadConfig(process.env);
      const pauseSwitch = createPauseSwitch(
        createSsmClient(config.AWS_REQUEST_TIMEOUT_SECONDS),
        config.PAUSE_PARAMETER_NAME,
      );
      process.exitCode = await runPause({ by: operatorName(), ...flags }, pauseSwitch, processIo);
    });
}
