/**
 * @module testing/postgres-proxy
 * A loopback TCP proxy to the test PostgreSQL server, for outages a test cannot make with the
 * server itself: `freeze()` forwards nothing more and closes nothing (a failover that moved the
 * address, a partition dropping packets), `freezeOpen()` does that to the connections open now
 * only (a failover: the old primary's sockets hang, new connections reach the new one), `stop()`
 * closes the proxy and every connection through it (the server gone). `withheld(match)` says when
 * a frozen connection has swallowed a client's message matching `match` (a query sent into the
 * void: the test then knows that call is hanging, without a sleep).
 */
import net from 'node:net';
import { DEFAULT_TEST_POSTGRES_URL } from './postgres.js';

export interface PostgresProxy {
  port: number;
  /** Client connections accepted so far (each is a new PostgreSQL connection: connect and auth). */
  readonly accepted: number;
  freeze(): void;
  freezeOpen(): void;
  /** Resolves once a message from a client whose text (latin1) includes `match` is held by a freeze (past or future). */
  withheld(match: string): Promise<void>;
  stop(): Promise<void>;
}

/** `port`: listen there instead of on a free one, e.g. a stopped proxy's (the server back after an outage). */
export async function startPostgresProxy(serverUrl: string = DEFAULT_TEST_POSTGRES_URL, port = 0): Promise<PostgresProxy> {
  const server = new URL(serverUrl);
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const frozenSockets = new WeakSet<net.Socket>();
  const blocked = (s: net.Socket) => frozen || frozenSockets.has(s);
  const held: string[] = [];
  const waiters = new Set<{ match: string; resolve: () => void }>();
  const hold = (d: Buffer) => {
    const text = d.toString('latin1');
    held.push(text);
    for (const w of waiters) if (text.includes(w.match)) (waiters.delete(w), w.resolve());
  };
  let accepted = 0;
  const proxy = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(Number(server.port || 5432), server.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d) => void (blocked(client) ? hold(d) : upstream.write(d)));
    upstream.on('data', (d) => void (blocked(client) || client.write(d)));
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    freeze: () => void (frozen = true),
    freezeOpen: () => sockets.forEach((s) => frozenSockets.add(s)),
    withheld: (match) =>
      held.some((t) => t.includes(match)) ? Promise.resolve() : new Promise<void>((resolve) => void waiters.add({ match, resolve })),
    stop: () => {
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

/** `url` with its port replaced by the proxy's. */
export function throughProxy(url: string, proxy: PostgresProxy): string {
  const u = new URL(url);
  u.port = String(proxy.port);
  return u.toString();
}
