/**
 * A test gateway on its own PostgreSQL database reached through a loopback proxy the test can
 * freeze or stop (a partition, an outage), with the fake Slack and PagerDuty: registered as the
 * describe block's beforeAll/afterAll. Read the fields inside tests, after beforeAll ran.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../../src/testing/postgres-proxy.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './gateway.js';

export interface ProxiedGateway {
  db: TestDatabase;
  fakes: Fakes;
  proxy: PostgresProxy;
  t: TestGateway;
}

export function useProxiedPostgresGateway(admin: string): ProxiedGateway {
  const s = {} as ProxiedGateway;
  beforeAll(async () => {
    s.db = await createTestDatabase(admin);
    s.fakes = await startFakes();
    s.proxy = await startPostgresProxy();
    s.t = await startTestGateway(s.fakes, { DATABASE_URL: throughProxy(s.db.url, s.proxy) });
  });
  afterAll(async () => {
    await s.proxy?.stop();
    await s.t?.close().catch(() => undefined);
    await s.fakes?.close();
    await s.db?.drop();
  });
  return s;
}
