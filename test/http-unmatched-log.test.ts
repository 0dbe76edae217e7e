/**
 * A request to a path no route serves is logged, throttled, with its method, path (cut, never its
 * query string), client and user agent: alertgate_http_unmatched_requests_total says a POST went
 * astray, this line says where to and from whom (an Alertmanager with a mistyped webhook url drops
 * every 404 and says so only in its own log). Checked over HTTP against a real gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
/** A second webhook token as `openssl rand -base64` writes them: `/`, `+` and `=`, which a URL percent-encodes. */
const BASE64_TOKEN = 'Zm9v/YmFy+cXV4=';
/** The throttle's clock (one line per method and client per 10 s): moved on, never slept on. */
let clock = 0;

beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes, { WEBHOOK_TOKEN: `${WEBHOOK_TOKEN}\n${BASE64_TOKEN}` }, { refusalLogNow: () => clock });
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

const NO_ROUTE = 'no route for this path';

async function request(path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${t.gw.url}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

/** The `no route` lines written while `run` ran. */
async function linesOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const from = t.logs.length;
  await run();
  return t.logs
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => String(l.msg).startsWith(NO_ROUTE));
}

const misdirected = (path: string) =>
  request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.28.1' },
    body: JSON.stringify(webhook('{}:{alertname="Misrouted"}', [{ labels: { alertname: 'Misrouted', namespace: 'payments-prod' } }])),
  });

describe('the log line of a request to a path no route serves', () => {
  it('says which path (no query string) and who, warns for a POST, and is throttled per method and client', async () => {
    clock += 60_000;
    const lines = await linesOf(async () => {
      expect(await misdirected('/webhooks/alertmanger?token=query-held-secret-1234')).toBe(404);
      // Within the window: counted on /metrics, not logged again.
      expect(await misdirected('/webhook/alertmanager')).toBe(404);
      expect(await misdirected('/webhook/alertmanager')).toBe(404);
      clock += 11_000;
      expect(await misdirected('/webhook/alertmanager')).toBe(404);
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', method: 'POST', path: '/webhooks/alertmanger', client: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'Alertmanager/0.28.1' }),
      expect.objectContaining({ level: 'warn', method: 'POST', path: '/webhook/alertmanager', suppressed: 2 }),
    ]);
    expect(lines[0]!.msg).toContain('webhook_config url');
    expect(lines[0]).not.toHaveProperty('suppressed');
    expect(t.logs.join('\n')).not.toContain('query-held-secret-1234');
  });

  it("logs another method's request from the same client on its own throttle, at info, its path cut to 200 characters", async () => {
    clock += 60_000;
    const long = `/${'a'.repeat(300)}`;
    const lines = await linesOf(async () => {
      expect(await misdirected('/wrong')).toBe(404);
      expect(await request(long)).toBe(404);
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', method: 'POST', path: '/wrong' }),
      expect.objectContaining({ level: 'info', method: 'GET', path: `${long.slice(0, 200)}…` }),
    ]);
  });

  it('blanks a known secret in the path before cutting it, so no prefix of it is left at the cut', async () => {
    clock += 60_000;
    // The token straddles the 200th character: cut first, its prefix would be left, and the
    // logger (which blanks whole secrets in every line) would not know it.
    const before = `/webhooks/${'a'.repeat(170)}/`;
    const lines = await linesOf(async () => {
      expect(await misdirected(`${before}${WEBHOOK_TOKEN}`)).toBe(404);
    });
    expect(lines).toEqual([expect.objectContaining({ path: `${before}[REDACTED]` })]);
    expect(t.logs.join('\n')).not.toContain(WEBHOOK_TOKEN.slice(0, 8));
  });

  it('blanks a secret sent percent-encoded in the path (its / + = left encoded by the router)', async () => {
    clock += 60_000;
    const encoded = encodeURIComponent(BASE64_TOKEN);
    const lowercase = encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    const lines = await linesOf(async () => {
      expect(await misdirected(`/webhooks/${encoded}`)).toBe(404);
      clock += 11_000;
      expect(await misdirected(`/webhooks/${lowercase}/x`)).toBe(404);
    });
    expect(lines).toEqual([expect.objectContaining({ path: '/webhooks/[REDACTED]' }), expect.objectContaining({ path: '/webhooks/[REDACTED]/x' })]);
    const logs = t.logs.join('\n');
    for (const form of [BASE64_TOKEN, encoded, lowercase, 'Zm9v']) expect(logs).not.toContain(form);
  });

  it('keeps the path as sent when no secret is in it, encoded characters and all', async () => {
    clock += 60_000;
    const lines = await linesOf(async () => {
      expect(await misdirected('/webhooks/a%2Fb%3D')).toBe(404);
    });
    expect(lines).toEqual([expect.objectContaining({ path: '/webhooks/a%2Fb%3D' })]);
  });

  it('is not written for answers of routes: a 405, or a 404 a route gives', async () => {
    clock += 60_000;
    const lines = await linesOf(async () => {
      expect(await request('/healthz', { method: 'DELETE' })).toBe(405);
      expect(await request('/v1/notifications/999999/retry', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).toBe(404);
    });
    expect(lines).toEqual([]);
  });
});
