import type { Logger } from 'pino';

export interface PrepareSinkOptions {
  readonly logger: Logger;
  /** Give up early (a shutdown during start-up). */
  readonly stopping: () => boolean;
  readonly attempts?: number;
  readonly delayMs?: number;
}

/**
 * The worker's start-up check, with patience: a cluster that is still starting is waited for (10
 * attempts, 10 s apart, by default); a wrong URL or credentials are still refused in the end, with the
 * sink's own error.
 */
export async function prepareSink(
  sink: { prepare(): Promise<unknown> },
  options: PrepareSinkOptions,
): Promise<void> {
  const attempts = options.attempts ?? 10;
  const delayMs = options.delayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.prepare();
      return;
    } catch (error) {
      if (attempt >= attempts || options.stopping()) throw error;
      options.logger.warn(
        { attempt, err: error },
        `OpenSearch not ready; trying again in ${Math.round(delayMs / 1000)} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
