/**
 * PAGERDUTY_EVENTS_URL may carry `user:password@` for an authenticating proxy in front of
 * PagerDuty (node:http sends it as basic auth). A proxy that refuses and echoes the credentials it
 * was sent (the Authorization header, or it decoded) must not put them into `lastError`, which the
 * unauthenticated GET /v1/notifications shows, nor into the logs. Checked against a real gateway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const USER = 'pd-proxy-user';
const PASSWORD = 'pr0xy:pa55/w@rd';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

describe('PAGERDUTY_EVENTS_URL credentials echoed by a refusing proxy', () => {
  let fakes: Fakes;
  let t: TestGateway;
  let proxy: http.Server;
  const seen: string[] = [];
  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      req.resume();
      const auth = req.headers.authorization ?? '';
      seen.push(auth);
      const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden: ${auth} (${decoded}) is not allowed`);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    fakes = await startFakes();
    t = await startTestGateway(fakes, { PAGERDUTY_EVENTS_URL: `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await t?.close();
    await fakes?.close();
    await new Promise((r) => proxy?.close(r));
  });

  it('keeps them out of lastError and the logs', async () => {
    const res = await t.post(webhook('{}:{alertname="Proxied"}', [{ labels: { alertname: 'Proxied', namespace: 'payments-prod', severity: 'critical' } }]));
    expect(res.status).toBe(202);
    type Listed = { receiver: string; lastError: string | null };
    let failed: Listed | undefined;
    await waitUntil(async () => {
      const list = (await (await fetch(`${t.gw.url}/v1/notifications?team=payments`)).json()) as { items: Listed[] };
      failed = list.items.find((n) => n.receiver === 'pagerduty' && n.lastError !== null);
      return failed !== undefined;
    }, 10_000, 'a failed PagerDuty notification');
    // The proxy got the credentials, and its answer is kept, without them.
    expect(seen).toContain(`Basic ${BASIC}`);
    expect(failed!.lastError).toContain('HTTP 403');
    expect(failed!.lastError).toContain('forbidden: Basic');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), BASIC]) {
      expect(failed!.lastError).not.toContain(secret);
      expect(t.logs.filter((l) => l.includes(secret))).toEqual([]);
    }
    expect(t.logs.some((l) => l.includes('pagerduty event failed'))).toBe(true);
  });
});

/**
 * A proxy answering JSON, as a Go one does: `/` written `\/`, `&` written `\u0026`. Blanked in
 * the raw answer only, the password was not matched there and came back in clear once the
 * answer was parsed for its message; and the message was cut before blanking, so a secret across
 * the cut would have been left as a prefix nothing matched.
 */
describe('PAGERDUTY_EVENTS_URL credentials echoed JSON-escaped by a refusing proxy', () => {
  const JSON_PASSWORD = 'pr0xy:pa55/w@rd&x';
  let fakes: Fakes;
  let t: TestGateway;
  let proxy: http.Server;
  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      req.resume();
      const auth = req.headers.authorization ?? '';
      const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      const escaped = JSON.stringify({ message: `denied ${decoded}`, errors: [`${'x'.repeat(235)} ${decoded}`] })
        .replace(/\//g, '\\/')
        .replace(/&/g, '\\u0026');
      res.writeHead(403, { 'content-type': 'application/json' }).end(escaped);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    fakes = await startFakes();
    t = await startTestGateway(fakes, { PAGERDUTY_EVENTS_URL: `http://${USER}:${encodeURIComponent(JSON_PASSWORD)}@127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await t?.close();
    await fakes?.close();
    await new Promise((r) => proxy?.close(r));
  });

  it('keeps them out of lastError', async () => {
    const res = await t.post(webhook('{}:{alertname="ProxiedJson"}', [{ labels: { alertname: 'ProxiedJson', namespace: 'payments-prod', severity: 'critical' } }]));
    expect(res.status).toBe(202);
    type Listed = { receiver: string; lastError: string | null };
    let failed: Listed | undefined;
    await waitUntil(async () => {
      const list = (await (await fetch(`${t.gw.url}/v1/notifications?team=payments`)).json()) as { items: Listed[] };
      failed = list.items.find((n) => n.receiver === 'pagerduty' && n.lastError !== null);
      return failed !== undefined;
    }, 10_000, 'a failed PagerDuty notification');
    expect(failed!.lastError).toContain('HTTP 403');
    expect(failed!.lastError).toContain(`denied ${USER}:[REDACTED]`);
    // Neither the password nor any long piece of it (what a cut would leave).
    for (const piece of [JSON_PASSWORD, JSON_PASSWORD.slice(0, 8), JSON_PASSWORD.slice(-8)]) {
      expect(failed!.lastError).not.toContain(piece);
      expect(t.logs.filter((l) => l.includes(piece))).toEqual([]);
    }
  });
});
