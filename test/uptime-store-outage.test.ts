/**
 * Uptime reports while the store is unreachable: a report reads its maintenance windows from the
 * store, so it cannot be made then. A manager's browser must get the uptime pages' own HTML error
 * page saying so (not the API's bare JSON), and /v1/uptime a 503 whose `kind` says what failed.
 * A gateway on PostgreSQL through a loopback proxy that is then stopped; Thanos (a fake) is up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../src/testing/postgres-proxy.js';
import { startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('uptime reports while the store is unreachable', () => {
  let db: TestDatabase;
  let fakes: Fakes;
  let proxy: PostgresProxy;
  let thanos: FakeThanos;
  let configDir: string;
  let t: TestGateway;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    fakes = await startFakes();
    proxy = await startPostgresProxy();
    thanos = await startFakeThanos();
    configDir = await mkdtemp(join(tmpdir(), 'alertgate-uptime-store-'));
    await writeConfigDir(configDir);
    t = await startTestGateway(fakes, { DATABASE_URL: throughProxy(db.url, proxy), ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url });
    await proxy.stop();
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await thanos?.close();
    await fakes?.close();
    await db?.drop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it.each(['/uptime/payments?month=2026-10', '/uptime?month=2026-10'])('%s: an HTML error page saying the store cannot be read', async (path) => {
    const res = await fetch(`${t.gw.url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<h1>Uptime data is unavailable</h1>');
    expect(html).toContain('the store (DATABASE_URL) cannot be read');
  });

  it('/v1/uptime: 503 of kind unavailable, naming the store and not its address', async () => {
    const res = await fetch(`${t.gw.url}/v1/uptime?team=payments&month=2026-10`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; kind: string };
    expect(body.kind).toBe('unavailable');
    expect(body.error).toMatch(/^the store \(DATABASE_URL\) cannot be read/);
    expect(body.error).not.toContain(new URL(db.url).password || '\0');
    expect(body.error).not.toContain('127.0.0.1');
  });
});
