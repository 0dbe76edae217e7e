/**
 * Receivers (or proxies in front of them) that answer a refusal by quoting everything they were
 * sent, body and headers: a PagerDuty 400 `{"errors":[…]}`, a proxy's 502 HTML page, a plain-text
 * 500, a 429, Slack's `{ok:false}` with its `response_metadata.messages`, `needed`, `provided` and
 * an `error` code of its own. After the notifications are dead, no secret is in what alertgate
 * keeps or shows of them: GET /v1/notifications, /metrics, the log lines, and the store's files
 * themselves (SQLite database and write-ahead log, read as bytes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, PD_PAYMENTS_KEY, SLACK_TOKEN, WEBHOOK_TOKEN, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

const SECRETS = { WEBHOOK_TOKEN, ADMIN_TOKEN, SLACK_TOKEN, PD_PAYMENTS_KEY };

type Echo = (res: http.ServerResponse, everything: string, authorization: string) => void;

const ECHOES: Record<string, { pagerduty: Echo; slack: Echo }> = {
  'a JSON 400 quoting the request': {
    pagerduty: (res, all) => json(res, 400, { message: 'Event object is invalid', errors: [all] }),
    slack: (res, all) => json(res, 200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: [`[ERROR] ${all}`] } }),
  },
  "a proxy's 502 HTML page": {
    pagerduty: (res, all) => html(res, all),
    slack: (res, all) => html(res, all),
  },
  'a plain-text 500 and a 429': {
    pagerduty: (res, all) => (res.writeHead(429, { 'content-type': 'text/plain' }), res.end(all)),
    slack: (res, all) => (res.writeHead(500, { 'content-type': 'text/plain' }), res.end(all)),
  },
  "Slack's missing_scope with needed/provided, and an error code quoting the token": {
    pagerduty: (res, all) => json(res, 400, { message: all }),
    slack: (res, all, authorization) =>
      json(res, 200, { ok: false, error: `missing_scope ${authorization}`, needed: all, provided: all, response_metadata: { messages: [all] } }),
  },
};

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function html(res: http.ServerResponse, all: string): void {
  res.writeHead(502, { 'content-type': 'text/html' });
  res.end(`<!doctype html><html><head><title>Bad gateway: ${all}</title></head><body><p>${all.replace(/"/g, '&quot;')}</p></body></html>`);
}

async function echoServer(echo: Echo): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => echo(res, `${body} ${JSON.stringify(req.headers)}`, req.headers.authorization ?? ''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const urlOf = (s: http.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe.each(Object.entries(ECHOES))('receivers answering with %s', (_name, echo) => {
  let fakes: Fakes | undefined;
  let t: TestGateway | undefined;
  const servers: http.Server[] = [];
  afterEach(async () => {
    await t?.close();
    await fakes?.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('keep no secret in the API, /metrics, the logs or the store', async () => {
    const pd = await echoServer(echo.pagerduty);
    const slack = await echoServer(echo.slack);
    servers.push(pd, slack);
    fakes = await startFakes();
    t = await startTestGateway(fakes, { PAGERDUTY_EVENTS_URL: urlOf(pd), SLACK_API_URL: `${urlOf(slack)}/api/`, DELIVERY_MAX_ATTEMPTS: '2' });
    const res = await t.post(webhook('{}:{alertname="Echo"}', [{ labels: { alertname: 'Echo', namespace: 'payments-prod', severity: 'critical' } }]));
    expect(res.status).toBe(202);
    type Listed = { receiver: string; status: string; lastError: string | null };
    let dead: Listed[] = [];
    await waitUntil(async () => {
      const list = (await (await fetch(`${t!.gw.url}/v1/notifications?status=dead`)).json()) as { items: Listed[] };
      dead = list.items;
      return dead.length === 2;
    }, 10_000, 'both notifications dead');
    // Still says what went wrong: the receiver's own words, the secrets blanked.
    expect(dead.map((n) => n.receiver).sort()).toEqual(['pagerduty', 'slack']);
    for (const n of dead) expect(n.lastError).toMatch(/^(pagerduty enqueue|slack chat\.postMessage): /);

    const shown = [JSON.stringify(dead), await (await fetch(`${t.gw.url}/metrics`)).text()];
    const stored = readdirSync(t.dir).map((f) => readFileSync(join(t!.dir, f)).toString('latin1'));
    assertNoSecrets([...shown, ...stored], SECRETS, { forbidRedactionMarker: false });
    // Their marker is allowed: alertgate's error texts blank a quoted secret with it.
    assertNoSecrets(t.logs, SECRETS, { forbidRedactionMarker: false });
  });
});
