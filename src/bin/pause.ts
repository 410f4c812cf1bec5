import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { PauseState, PauseSwitch } from '../control/pause-switch.ts';
import { createPauseSwitch } from '../control/pause-switch.ts';
import type { CommandIo } from './command-errors.ts';
import { ExitCode, processIo } from './command-errors.ts';
import { createSsmClient, operatorName } from './control-clients.ts';
import { formatInstant } from './format-duration.ts';

/** Who paused, when and why, as `status` and the commands say it; never empty. */
export function describePause(state: PauseState): string {
  const head = [state.since && `since ${formatInstant(state.since)}`, state.by && `by ${state.by}`]
    .filter(Boolean)
    .join(' ');
  const why = state.reason ? `"${state.reason}"` : '';
  return [head, why].filter(Boolean).join(': ') || 'with no record of who or why';
}

/**
 * Sets the shared pause switch. Pausing an already paused service changes nothing, so the record
 * of who paused it first, and why, survives a second `pause`.
 */
export async function runPause(
  options: { readonly reason?: string; readonly by: string },
  pauseSwitch: PauseSwitch,
  io: CommandIo,
): Promise<number> {
  const current = await pauseSwitch.read();
  if (current.paused) {
    io.stdout.write(
      `Already paused ${describePause(current)}; left as it is (SSM parameter ${pauseSwitch.parameterName}).\n`,
    );
    return ExitCode.Ok;
  }
  const state = await pauseSwitch.set(true, {
    by: options.by,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  io.stdout.write(
    `Paused ingestion ${describePause(state)} (SSM parameter ${pauseSwitch.parameterName}).\n` +
      'Workers finish the files in flight and stop receiving within 30 s; messages wait in the queue.\n' +
      'Resume with: cloudtrail-indexer resume\n',
  );
  return ExitCode.Ok;
}

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
