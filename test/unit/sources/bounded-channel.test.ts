import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BoundedChannel } from '../../../src/sources/bounded-channel.ts';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('BoundedChannel', () => {
  it('makes producers wait while capacity items are waiting, and delivers every item in order', async () => {
    const channel = new BoundedChannel<number>(2);
    let pushed = 0;
    const producer = (async () => {
      for (let n = 0; n < 10; n++) {
        await channel.push(n);
        pushed++;
      }
      channel.close();
    })();
    await tick();
    expect(pushed).toBe(2);
    const received: number[] = [];
    for await (const item of channel) received.push(item);
    await producer;
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('throws the producer error after the items already queued', async () => {
    const channel = new BoundedChannel<number>(5);
    await channel.push(1);
    channel.close(new Error('listing failed'));
    const received: number[] = [];
    await expect(
      (async () => {
        for await (const item of channel) received.push(item);
      })(),
    ).rejects.toThrow('listing failed');
    expect(received).toEqual([1]);
  });

  it('tells waiting and later producers to stop once the consumer leaves', async () => {
    const channel = new BoundedChannel<number>(1);
    await channel.push(1);
    const waiting = channel.push(2);
    for await (const _ of channel) break;
    // The waiting producer is released either way (its item may have been taken just before the break).
    await waiting;
    expect(await channel.push(3)).toBe(false);
    expect(channel.cancelled).toBe(true);
  });

  it('keeps no item reachable once it is taken (memory stays flat over a long listing)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const channel = new BoundedChannel<{ page: number }>(4);
    const taken: Array<WeakRef<{ page: number }>> = [];
    const producer = (async () => {
      for (let page = 0; page < 200; page++) await channel.push({ page });
      channel.close();
    })();
    let last: { page: number } | undefined;
    for await (const item of channel) {
      if (item.page < 20) taken.push(new WeakRef(item));
      if (item.page === 30) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        gc();
        expect(taken.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      }
      last = item;
    }
    await producer;
    expect(last?.page).toBe(199);
  });
});
