/**
 * /readyz while PostgreSQL stops answering without closing anything (a network partition, a
 * failover that moved the address): the pooled connections and new ones go silent. The runbook
 * sends operators to `curl …/readyz`, and the readiness probe waits 6 s: the answer must be a
 * 503 naming the store within a few seconds, not a wait as long as a query's own timeout (35 s).
 */
import { describe, expect, it } from 'vitest';
import { READY_STORE_TIMEOUT_MS } from '../src/http/ops.js';
import { requirePostgres } from '../src/testing/postgres.js';
import { useProxiedPostgresGateway } from './support/proxied-gateway.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('/readyz while PostgreSQL is silent', () => {
  const g = useProxiedPostgresGateway(admin!);

  const readyz = async () => {
    const started = Date.now();
    const res = await fetch(`${g.t.gw.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: (await res.json()) as { problems?: string[] }, ms: Date.now() - started };
  };

  it('answers 503 "store unreachable" within the probe timeout, again and again', async () => {
    expect((await readyz()).status).toBe(200);
    g.proxy.freeze();
    // The first reaches a pooled connection, which swallows the ping; the later ones too, or
    // wait for a connection the proxy never lets through.
    for (let i = 0; i < 3; i++) {
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(r.body.problems).toEqual([`store unreachable (no answer within ${READY_STORE_TIMEOUT_MS / 1000} s)`]);
      expect(r.ms).toBeLessThan(READY_STORE_TIMEOUT_MS + 1_500);
    }
    // /healthz is not tied to the store (no restart loop).
    expect((await fetch(`${g.t.gw.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
