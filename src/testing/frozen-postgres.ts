/**
 * @module testing/frozen-postgres
 * Tests only. A test database and a freezing TCP proxy to its server (`PostgresProxy`), both made
 * before the tests of the describe block that calls `useFrozenPostgres` and removed after them.
 * A store opened on `proxied` stops hearing from the database when a test freezes the proxy.
 *
 * const admin = await requirePostgres();
 * describe.skipIf(!admin)('a frozen database', () => {
 *   const pg = useFrozenPostgres(() => admin!);
 *   it('…', async () => {
 *     const { url, proxied } = await pg.schema('name');
 *     const store = await openPostgresStore(proxied);
 *     pg.proxy.freeze();
 *   });
 * });
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, createTestSchema, type TestDatabase } from './postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from './postgres-proxy.js';

export interface FrozenPostgres {
  /** The proxy (set once the describe block's tests start). */
  readonly proxy: PostgresProxy;
  /** A new schema in the test database: its URL, and the same URL through the proxy. */
  schema(name: string): Promise<{ url: string; proxied: string }>;
}

/** Registers the describe block's `beforeAll`/`afterAll`; `admin`: the server's URL from `requirePostgres`. */
export function useFrozenPostgres(admin: () => string): FrozenPostgres {
  let db: TestDatabase | undefined;
  let proxy: PostgresProxy | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(admin());
    proxy = await startPostgresProxy(admin());
  });
  afterAll(async () => {
    await proxy?.stop();
    await db?.drop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useFrozenPostgres: the ${what} is made in beforeAll; use it inside a test`);
    return value;
  };
  return {
    get proxy() {
      return started(proxy, 'proxy');
    },
    async schema(name) {
      const url = await createTestSchema(started(db, 'test database').url, name);
      return { url, proxied: throughProxy(url, started(proxy, 'proxy')) };
    },
  };
}

/** A promise and the function that resolves it: a test awaits the moment a decision froze the proxy. */
export function signal(): { happened: Promise<void>; happen: () => void } {
  let happen!: () => void;
  const happened = new Promise<void>((resolve) => (happen = resolve));
  return { happened, happen };
}

/** How `call` ended, named: it may only end after the test cut it, so it must never reject unhandled. */
export function outcome<A extends string, B extends string>(call: Promise<unknown>, ok: A, failed: B): Promise<A | B> {
  return call.then(
    () => ok,
    () => failed,
  );
}
