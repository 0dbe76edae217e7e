/**
 * A test gateway on its own PostgreSQL database reached through a loopback proxy the test can
 * freeze or stop (a partition, an outage) and open again on the same port (the server back),
 * with the fake Slack and PagerDuty: registered as the describe block's beforeAll/afterAll. Read
 * the fields inside tests, after beforeAll ran.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../../src/testing/postgres-proxy.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway, type TestGatewayOptions } from './gateway.js';

export interface ProxiedGateway {
  db: TestDatabase;
  fakes: Fakes;
  /** The proxy now listening (a new one after `reopen`). */
  proxy: PostgresProxy;
  t: TestGateway;
  /** After `proxy.stop()`: a proxy on the same port again, so the gateway reaches the database again. */
  reopen(): Promise<void>;
}

/** `opts`: the gateway's test options (e.g. `outageLogNow`, the clock of its outage lines). */
export function useProxiedPostgresGateway(admin: string, opts: TestGatewayOptions = {}): ProxiedGateway {
  const s = {} as ProxiedGateway;
  beforeAll(async () => {
    s.db = await createTestDatabase(admin);
    s.fakes = await startFakes();
    s.proxy = await startPostgresProxy(s.db.url);
    s.t = await startTestGateway(s.fakes, { DATABASE_URL: throughProxy(s.db.url, s.proxy) }, opts);
    s.reopen = async () => {
      s.proxy = await startPostgresProxy(s.db.url, s.proxy.port);
    };
  });
  afterAll(async () => {
    await s.proxy?.stop();
    await s.t?.close().catch(() => undefined);
    await s.fakes?.close();
    await s.db?.drop();
  });
  return s;
}
