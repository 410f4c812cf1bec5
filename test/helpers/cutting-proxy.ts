import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of S3 (LocalStack) that breaks responses midway, as a slow sink's reader sees
 * them broken for real: once a connection has carried `afterBytes` towards the client, it is either
 * reset (`reset`: the client's body fails with `aborted`, as when the server closes a slow reader) or
 * left silent (`stall`: nothing more arrives, until the client's own idle-socket timeout gives up on
 * it). Only the first `times` connections to reach the mark are broken; the others pass untouched.
 * `hold()` makes new connections wait, unforwarded, until `release()`: a test can change the object
 * between the break and the resumed request.
 */
export interface CuttingProxy {
  readonly url: string;
  /** Connections broken so far. */
  readonly broken: number;
  /** Resolves once `count` connections have been broken. */
  brokenTimes(count: number): Promise<void>;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export interface CutOptions {
  readonly afterBytes: number;
  readonly times: number;
  readonly how: 'reset' | 'stall';
}

export async function startCuttingProxy(target: string, cut: CutOptions): Promise<CuttingProxy> {
  const upstreamUrl = new URL(target);
  const sockets = new Set<Socket>();
  const waiting: Array<() => void> = [];
  const watchers: Array<{ count: number; resolve: () => void }> = [];
  let broken = 0;
  let held = false;

  const noteBreak = (): void => {
    broken += 1;
    for (const watcher of watchers.filter((w) => w.count <= broken)) {
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
  };

  const forward = (client: Socket): void => {
    const upstream = connect({ host: upstreamUrl.hostname, port: Number(upstreamUrl.port) });
    sockets.add(upstream);
    let carried = 0;
    let breaking = false;
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (data: Buffer) => {
      if (!breaking) upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (breaking) return;
      if (broken < cut.times && carried + data.length >= cut.afterBytes) {
        breaking = true;
        const part = data.subarray(0, cut.afterBytes - carried);
        carried += part.length;
        noteBreak();
        if (cut.how === 'reset') {
          client.write(part, () => client.resetAndDestroy());
          upstream.destroy();
        } else {
          // Nothing more in either direction: the client's socket timeout has to notice.
          client.write(part);
          upstream.destroy();
        }
        return;
      }
      carried += data.length;
      client.write(data);
    });
    upstream.on('error', end);
    upstream.on('close', () => {
      if (!breaking) client.end();
    });
    client.on('close', () => upstream.destroy());
  };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    if (held) {
      client.pause();
      waiting.push(() => {
        forward(client);
        client.resume();
      });
    } else {
      forward(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get broken() {
      return broken;
    },
    brokenTimes: (count) =>
      count <= broken ? Promise.resolve() : new Promise((resolve) => watchers.push({ count, resolve })),
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const start of waiting.splice(0)) start();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
