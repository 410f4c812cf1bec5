import { describePause } from '../control/describe-pause.ts';
import type { PauseSwitch } from '../control/pause-switch.ts';
import type { CommandIo } from '../core/command-io.ts';
import { ExitCode } from '../core/operator-error.ts';

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
