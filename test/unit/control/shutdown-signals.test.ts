import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenForShutdown } from '../../../src/control/shutdown-signals.ts';

/** A stand-in for `process`: signals are events on it. */
function fakeProcess(): EventEmitter & Pick<NodeJS.Process, 'on' | 'off'> {
  return new EventEmitter() as EventEmitter & Pick<NodeJS.Process, 'on' | 'off'>;
}

describe('listenForShutdown', () => {
  it('drains on the first signal and stops on the second, saying each', async () => {
    const target = fakeProcess();
    const heard: string[] = [];
    const signals = listenForShutdown((signal, count) => heard.push(`${signal} ${count}`), target);
    expect([signals.stopTaking.aborted, signals.stopNow.aborted]).toEqual([false, false]);
    target.emit('SIGTERM', 'SIGTERM');
    expect(await signals.first).toBe('SIGTERM');
    expect([signals.stopTaking.aborted, signals.stopNow.aborted]).toEqual([true, false]);
    target.emit('SIGINT', 'SIGINT');
    expect(signals.stopNow.aborted).toBe(true);
    expect(heard).toEqual(['SIGTERM 1', 'SIGINT 2']);
  });

  it('stops listening when disposed', () => {
    const target = fakeProcess();
    const signals = listenForShutdown(undefined, target);
    expect(target.listenerCount('SIGINT')).toBe(1);
    signals.dispose();
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
  });
});
