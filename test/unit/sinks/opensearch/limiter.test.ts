import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../../src/sinks/opensearch/limiter.ts';

describe('Limiter', () => {
  it('never lets more than its bound run at once, and runs everything', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, task) => {
        const release = await limiter.acquire();
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, task % 3));
        running -= 1;
        done.push(task);
        release();
      }),
    );
    expect(peak).toBe(3);
    expect(done).toHaveLength(20);
    expect(limiter.active).toBe(0);
  });

  it('ignores a second release of the same slot', async () => {
    const limiter = new Limiter(1);
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.active).toBe(0);
  });

  it('refuses a bound below one', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
