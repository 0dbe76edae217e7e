/**
 * Thanos credentials never come back out: an auth proxy in front of Thanos that echoes the
 * Authorization header in its error page must not put THANOS_TOKEN (or THANOS_URL's basic-auth
 * password) into the answers of the unauthenticated uptime endpoints, nor into the logs.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UptimeError } from '../src/uptime/errors.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

const TOKEN = 'thanos-token-7d41c0ffee';
const PASSWORD = 'pa55:w/rd';

/** A proxy that refuses everyone, quoting the credentials it was sent (header and decoded). */
async function echoingProxy(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden: ${auth} (${decoded}) is not allowed`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: Awaited<ReturnType<typeof echoingProxy>>;
beforeAll(async () => (proxy = await echoingProxy()));
afterAll(() => proxy?.close());

describe('thanos client errors quoting our credentials', () => {
  it('cut out the bearer token', async () => {
    const err = await createThanosClient({ url: proxy.origin, token: TOKEN }).instant('up', 0, '0s').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UptimeError);
    expect((err as Error).message).toContain('forbidden: Bearer ***');
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('cut out THANOS_URL basic-auth credentials, encoded or not', async () => {
    const url = `${proxy.origin.replace('//', `//prom:${encodeURIComponent(PASSWORD)}@`)}`;
    const err = await createThanosClient({ url }).instant('up', 0, '0s').catch((e: unknown) => e);
    const message = (err as Error).message;
    expect(message).toContain('forbidden: Basic ***');
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(Buffer.from(`prom:${PASSWORD}`).toString('base64'));
  });
});

describe('the gateway', () => {
  let dir: string;
  let gw: GatewayProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertgate-thanos-secret-'));
    await writeConfigDir(dir);
    gw = await spawnGateway({
      PORT: '0',
      HOST: '127.0.0.1',
      ALERTGATE_CONFIG_DIR: dir,
      DATABASE_URL: 'sqlite::memory:',
      THANOS_URL: proxy.origin,
      THANOS_TOKEN: TOKEN,
      LOG_LEVEL: 'debug',
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the refusal without THANOS_TOKEN, on the API and the pages, and never logs it', async () => {
    for (const [path, accept] of [
      ['/v1/uptime?team=payments&month=2026-10', 'application/json'],
      ['/v1/uptime.csv?team=payments&month=2026-10', 'text/csv'],
      ['/uptime/payments?month=2026-10', 'text/html'],
    ] as const) {
      const res = await fetch(`${gw.url}${path}`, { headers: { accept } });
      const body = await res.text();
      expect(res.status, path).toBeGreaterThanOrEqual(500);
      expect(body, path).toContain('forbidden');
      expect(body, path).not.toContain(TOKEN);
    }
    await gw.kill('SIGTERM');
    expect(gw.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(gw.lines)).not.toContain(TOKEN);
  });
});
