import { describe, expect, it } from 'vitest';
import { prepareSink } from '../../../src/worker/prepare-sink.ts';
import { memoryLogger } from '../../helpers/memory-logger.ts';

/** A sink whose first `failures` checks fail. */
function sinkFailing(failures: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async prepare(): Promise<void> {
      calls += 1;
      if (calls <= failures) throw new Error(`not ready (${calls})`);
    },
  };
}

describe('prepareSink', () => {
  it('waits for a cluster that is still starting, logging each try with its error', async () => {
    const sink = sinkFailing(2);
    const { logger, records } = memoryLogger();
    await prepareSink(sink, { logger, stopping: () => false, delayMs: 1 });
    expect(sink.calls).toBe(3);
    const warned = records().filter((line) => line.msg.startsWith('OpenSearch not ready'));
    expect(warned.map((line) => line.attempt)).toEqual([1, 2]);
    expect(warned[0]?.err).toMatchObject({ message: 'not ready (1)' });
  });

  it('gives up after its attempts with the sink error', async () => {
    const sink = sinkFailing(5);
    const { logger } = memoryLogger();
    await expect(
      prepareSink(sink, { logger, stopping: () => false, attempts: 3, delayMs: 1 }),
    ).rejects.toThrow('not ready (3)');
  });

  it('gives up at once when shutting down', async () => {
    const sink = sinkFailing(5);
    const { logger } = memoryLogger();
    await expect(prepareSink(sink, { logger, stopping: () => true, delayMs: 1 })).rejects.toThrow(
      'not ready (1)',
    );
    expect(sink.calls).toBe(1);
  });
});
