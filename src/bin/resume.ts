import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { PauseSwitch } from '../control/pause-switch.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import type { CommandIo } from './command-errors.ts';
import { ExitCode, processIo } from './command-errors.ts';
import { createSsmClient, operatorName } from './control-clients.ts';
import { describePause } from './pause.ts';

/** Clears the shared pause switch, recording who resumed and when. */
export async function runResume(
  options: { readonly by: string },
  pauseSwitch: PauseSwitch,
  io: CommandIo,
): Promise<number> {
  const current = await pauseSwitch.read();
  if (!current.paused) {
    io.stdout.write(`Not paused; nothing to do (SSM parameter ${pauseSwitch.parameterName}).\n`);
    return ExitCode.Ok;
  }
  await pauseSwitch.set(false, { by: options.by });
  io.stdout.write(
    `Resumed ingestion (paused ${describePause(current)}; SSM parameter ${pauseSwitch.parameterName}).\n` +
      'Workers start receiving within 30 s, unless a domain change or backpressure holds them.\n',
  );
  return ExitCode.Ok;
}

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
