import { formatInstant } from '../core/format-duration.ts';
import type { PauseState } from './pause-switch.ts';

/** Who paused, when and why, as `status` and the commands say it; never empty. */
export function describePause(state: PauseState): string {
  const head = [state.since && `since ${formatInstant(state.since)}`, state.by && `by ${state.by}`]
    .filter(Boolean)
    .join(' ');
  const why = state.reason ? `"${state.reason}"` : '';
  return [head, why].filter(Boolean).join(': ') || 'with no record of who or why';
}
