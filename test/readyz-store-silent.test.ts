/**
 * /readyz while PostgreSQL stops answering without closing anything (a network partition, a
 * failover that moved the address): the pooled connections and new ones go silent. The runbook
 * sends operators to `curl …/readyz`, and the readiness probe waits 6 s: the answer must be a
 * 503 naming the store within a few seconds, not a wait as long as a query's own timeout (35 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_STORE_TIMEOUT_MS } from '../src/http/ops.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../src/testing/postgres-proxy.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('/readyz while PostgreSQL is silent', () => {
  let db: TestDatabase;
  let fakes: Fakes;
  let proxy: PostgresProxy;
  let t: TestGateway;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    fakes = await startFakes();
    proxy = await startPostgresProxy();
    t = await startTestGateway(fakes, { DATABASE_URL: throughProxy(db.url, proxy) });
  });
  afterAll(async () => {
    await proxy?.stop();
    await t?.close().catch(() => undefined);
    await fakes?.close();
    await db?.drop();
  });

  const readyz = async () => {
    const started = Date.now();
    const res = await fetch(`${t.gw.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: (await res.json()) as { problems?: string[] }, ms: Date.now() - started };
  };

  it('answers 503 "store unreachable" within the probe timeout, again and again', async () => {
    expect((await readyz()).status).toBe(200);
    proxy.freeze();
    // The first reaches a pooled connection, which swallows the ping; the later ones too, or
    // wait for a connection the proxy never lets through.
    for (let i = 0; i < 3; i++) {
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(r.body.problems).toEqual([`store unreachable (no answer within ${READY_STORE_TIMEOUT_MS / 1000} s)`]);
      expect(r.ms).toBeLessThan(READY_STORE_TIMEOUT_MS + 1_500);
    }
    // /healthz is not tied to the store (no restart loop).
    expect((await fetch(`${t.gw.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
