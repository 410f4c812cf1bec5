export type StackMode = 'processes' | 'containers';

/**
 * Processes unless `STACK_MODE=containers`: an engine that answers `docker info` may still hold none
 * of the images (there is no registry here), so its presence alone does not pick containers.
 * Its own module, without the stack's imports, so that the test configuration can read it too.
 */
export function chooseMode(): StackMode {
  const forced = process.env.STACK_MODE;
  if (forced === undefined || forced === '' || forced === 'processes') return 'processes';
  if (forced === 'containers') return forced;
  throw new Error(`STACK_MODE must be "processes" or "containers", not "${forced}".`);
}
