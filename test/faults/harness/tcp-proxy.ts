import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy that can make its target unreachable the nasty way: a network partition, not a
 * polite refusal. While cut, connections already open stop carrying bytes in either direction and
 * new ones are accepted and then ignored, so a client learns nothing until its own timeouts fire
 * (a refused connection would fail fast and prove much less). Restoring lets new connections pass
 * again, but the stalled ones stay dead without a word, as after a NAT gateway or firewall lost
 * their state: only a client that gives up on a silent connection recovers.
 *
 * It can also be the stable endpoint of a blue/green deployment: `switchTo` sends new connections
 * to another target and closes the open ones, as the old cluster does when it is taken away. And,
 * given several targets, the load balancer in front of a cluster's nodes (as a domain endpoint is):
 * each new connection goes to the next target, skipping one that refuses it, and a connection to a
 * node that dies is reset, as the node's own connections are.
 */
export interface TcpProxy {
  readonly url: string;
  /** Connections accepted so far, and those that were stalled by a cut. */
  readonly stats: { connections: number; stalled: number };
  cut(): void;
  restore(): void;
  /** New connections go to `target` from now on; open ones are closed (the client reconnects). */
  switchTo(target: string): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream?: Socket;
}

export async function startTcpProxy(target: string | readonly string[]): Promise<TcpProxy> {
  let targets = (typeof target === 'string' ? [target] : target).map((url) => new URL(url));
  let cursor = 0;
  const pairs = new Set<Pair>();
  const stalled = new Set<Pair>();
  const stats = { connections: 0, stalled: 0 };
  let isCut = false;

  const drop = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
    stalled.delete(pair);
  };

  const stall = (pair: Pair): void => {
    stats.stalled += 1;
    stalled.add(pair);
    pair.client.unpipe();
    pair.upstream?.unpipe();
    // Bytes sent into the partition vanish; nothing comes back.
    pair.client.removeAllListeners('data');
    pair.client.on('data', () => {});
    pair.upstream?.pause();
  };

  const server = createServer((client) => {
    stats.connections += 1;
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (isCut) {
      stall(pair);
      return;
    }
    openUpstream(pair, 0);
  });

  /** Connects to the next target; one that refuses the connection is skipped, up to all of them once. */
  function openUpstream(pair: Pair, attempt: number): void {
    const address = targets[cursor++ % targets.length] as URL;
    const upstream = connect({ host: address.hostname, port: Number(address.port) });
    let connected = false;
    pair.upstream = upstream;
    upstream.on('connect', () => {
      connected = true;
      if (stalled.has(pair) || !pairs.has(pair)) return;
      pair.client.pipe(upstream);
      upstream.pipe(pair.client);
    });
    upstream.on('error', () => {
      if (!connected && attempt + 1 < targets.length && pairs.has(pair) && !stalled.has(pair)) {
        openUpstream(pair, attempt + 1);
      } else if (pair.upstream === upstream) {
        drop(pair);
      }
    });
    upstream.on('close', () => {
      if (pair.upstream === upstream && connected && !stalled.has(pair)) drop(pair);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    cut(): void {
      isCut = true;
      for (const pair of pairs) if (!stalled.has(pair)) stall(pair);
    },
    restore(): void {
      isCut = false;
    },
    switchTo(next: string): void {
      targets = [new URL(next)];
      for (const pair of [...pairs]) drop(pair);
    },
    async close(): Promise<void> {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
