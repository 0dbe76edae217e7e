/**
 * @module store/postgres/pool
 * The connection pool of the PostgreSQL store and its one transaction helper.
 *
 * Failure model: PostgreSQL restarting, failing over or unreachable must never crash the
 * gateway. Every error reaches the caller as a rejected promise (the webhook answers 503,
 * /readyz fails, the outbox worker retries later); connections that broke are discarded and
 * the pool opens fresh ones when the server is back.
 */
import net from 'node:net';
import pg from 'pg';

/** Connections per replica unless `PoolOptions.max` says otherwise. */
export const DEFAULT_POOL_SIZE = 10;
/** How long to wait for a new connection: bounds /readyz and webhooks when the server is unreachable. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** A statement running longer than this is cancelled by the server (a stuck lock, not normal work). */
export const STATEMENT_TIMEOUT_MS = 30_000;
/**
 * A transaction left idle this long (a replica frozen mid-write: stopped, paused, cut off by a
 * partition) is ended by the server, so it cannot hold group locks and leases' rows forever.
 * Well below the statement timeout: the other replicas' writes waiting for those locks then get
 * them before their own statement times out. At 60 s every one of them timed out first, and each
 * of the team's webhooks answered 503 until the frozen transaction ended. No transaction of
 * alertgate is idle for more than a round trip and a decision (milliseconds).
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 20_000;

/**
 * How long the client waits for any answer of the server. `statement_timeout` is the server's and
 * cannot fire for a query the server never received: a failover that moves the primary's address,
 * or a partition that drops packets without a reset, left calls on pooled connections pending
 * for as long as the kernel kept the connection (many minutes), webhooks and deliveries with them.
 */
export const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;

/**
 * The client-side bound of a query whose statement may run as long as it takes (a migration
 * step, statement_timeout lifted): the longest timer Node.js has (24.8 days), as node-postgres
 * reads a per-query 0 as "the pool's default".
 */
export const UNBOUNDED_QUERY_TIMEOUT_MS = 2 ** 31 - 1;

export interface PoolOptions {
  /** Connections per replica; default 10. */
  max?: number;
  /** The server's bound on each statement (STATEMENT_TIMEOUT_MS); lowered by tests. */
  statementTimeoutMs?: number;
  /** Client-side bound on each query (default: the statement timeout + 5 s); lowered by tests. */
  queryTimeoutMs?: number;
  /** The server's bound on a transaction's idle time (IDLE_IN_TRANSACTION_TIMEOUT_MS); lowered by tests, below `statementTimeoutMs`. */
  idleInTransactionTimeoutMs?: number;
  /** Idle connection errors (the server went away between queries); default: ignored. */
  onIdleError?: (err: Error) => void;
  /** Every transaction of every connection read-only (a store opened to read only): the server refuses writes. */
  readOnly?: boolean;
}

/** A pool for a `postgres://…` URL (libpq-style query options such as `sslmode` or `options=-c search_path=x` apply). */
export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const statementTimeoutMs = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  // Every socket from its creation until it has closed, for `cutConnections`: one still
  // connecting (the pool emits 'connect' only once it is up), or one ended by the pool whose
  // goodbye a server that stopped answering never acknowledges, holds the process open too.
  // (With TLS, node-postgres wraps this socket: destroying it ends the TLS stream too.)
  const sockets = new Set<net.Socket>();
  const pool = new pg.Pool({
    stream: () => {
      const socket = new net.Socket();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    },
    connectionString: url,
    max: opts.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'alertgate',
    statement_timeout: statementTimeoutMs,
    query_timeout: opts.queryTimeoutMs ?? statementTimeoutMs + (QUERY_TIMEOUT_MS - STATEMENT_TIMEOUT_MS),
    idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // node-postgres parses only ISO dates: a database or role set to another DateStyle (`SQL,
    // DMY`, `German`) would turn every timestamp into null. The pool awaits this before it hands
    // the connection out (a failure fails that checkout, and the connection is closed); queueing
    // it from a 'connect' listener instead overlapped the caller's first query, which pg 8
    // warns about and pg 9 will refuse.
    onConnect: async (client) => {
      openedAt.set(client, performance.now());
      await client.query(opts.readOnly ? 'SET DateStyle = ISO; SET default_transaction_read_only = on' : 'SET DateStyle = ISO');
    },
  });
  // Without a listener, an idle connection dropped by the server (restart, failover) would be
  // an unhandled 'error' event and kill the process. The pool already discards that client.
  pool.on('error', (err) => opts.onIdleError?.(err));
  openSockets.set(pool, sockets);
  return pool;
}

/** Each pool's sockets, for `cutConnections`. */
const openSockets = new WeakMap<pg.Pool, Set<net.Socket>>();

/**
 * Closes every connection of `pool` at once, whatever it is doing; returns how many there were.
 * For a shutdown that cannot wait: `pool.end()` waits for the queries in flight, which on a
 * server that stopped answering (a partition, a failover that moved the address) is the query
 * timeout, and an ended connection's goodbye may wait for the kernel to give up on the peer,
 * keeping the process alive. A query cut rejects; the server rolls its transaction back.
 */
export function cutConnections(pool: pg.Pool): number {
  const sockets = [...(openSockets.get(pool) ?? [])];
  // Destroying the socket, not `client.end()`: that one waits for the server's answer to its goodbye.
  for (const socket of sockets) socket.destroy();
  return sockets.length;
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Run `fn` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when
 * it throws. A connection that broke on the way is destroyed instead of returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: Queryable) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const body = async (client: Queryable) => {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  };
  return withConnection(pool, body, async (client, err) => {
    // A query the server did not answer in time leaves the connection unusable (a ROLLBACK would
    // wait as long again): it is destroyed, and the server ends the transaction when it notices.
    // A write refused as read-only: see mayKeepReadOnly.
    if (isQueryTimeout(err) || (isReadOnlyRefusal(err) && !mayKeepReadOnly(client))) return false;
    return client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
  });
}

/**
 * Run `fn` on one pooled connection outside a transaction, as `pool.query` does: a connection
 * `fn` throws on is destroyed, not returned (`fn` may throw on an answer it does not want, too),
 * unless `reusable` (called only while the connection has reported no error) says it may go back.
 */
export async function withConnection<T>(
  pool: pg.Pool,
  fn: (client: Queryable) => Promise<T>,
  reusable: (client: Queryable, err: unknown) => Promise<boolean> = async () => false,
): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no listener of the pool's: the server closing the connection
  // mid-query would otherwise be an unhandled 'error' event. The failing query rejects on its
  // own, which is what the caller sees.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    if (!broken && !(await reusable(client, err))) broken = err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken ?? undefined);
  }
}

/**
 * How long a connection that found its server read-only may still go back to the pool. Closing
 * every such connection (so that one to a failover's old primary, back as a replica behind the
 * same name, is not handed out again while a new connection would reach the new primary) cost a
 * new connection, connect and authentication, per refused webhook and per /readyz probe for as
 * long as the database stayed read-only. A connection opened this recently reached a server that
 * is read-only now: another would too. So each pooled connection is replaced at most once a
 * second, and one to an old primary lives at most a second past the repointing.
 */
export const READ_ONLY_KEEP_MS = 1_000;

/** When each pooled connection was opened (performance.now()), for mayKeepReadOnly. */
const openedAt = new WeakMap<object, number>();

/** Whether a connection on which the server was found read-only may go back to the pool (READ_ONLY_KEEP_MS). */
export function mayKeepReadOnly(client: Queryable): boolean {
  const opened = openedAt.get(client);
  return opened !== undefined && performance.now() - opened < READ_ONLY_KEEP_MS;
}

/** PostgreSQL's `read_only_sql_transaction`: a write on a standby, or in a read-only session. */
export function isReadOnlyRefusal(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '25006';
}

/** node-postgres' client-side `query_timeout` error. */
function isQueryTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Query read timeout';
}
