/**
 * A request to a path no route serves answers 404 and is counted on /metrics by method
 * (alertgate_http_unmatched_requests_total): an Alertmanager whose webhook_config has a mistyped
 * url gets 404s and drops its notifications, and before this no metric of alertgate showed it.
 * Checked over HTTP against a real gateway; the path is never a label.
 */
import { describe, expect, it } from 'vitest';
import { WEBHOOK_TOKEN, type TestGateway } from './support/gateway.js';
import { withGatewayPerFile } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let t: TestGateway;
withGatewayPerFile((started) => (t = started.t));

async function metricsText(): Promise<string> {
  const res = await fetch(`${t.gw.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Every series of the counter, as `{labels} value` lines. */
async function unmatched(): Promise<Record<string, number>> {
  const series: Record<string, number> = {};
  for (const line of (await metricsText()).split('\n')) {
    const m = /^alertgate_http_unmatched_requests_total(\{[^}]*\}) (\S+)$/.exec(line);
    if (m) series[m[1]!] = Number(m[2]);
  }
  return series;
}

async function request(path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${t.gw.url}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

describe('alertgate_http_unmatched_requests_total', () => {
  it('counts a webhook POSTed to a mistyped path, by method and without the path; routed answers are not counted', async () => {
    const before = await unmatched();
    // Every method's series is there at 0 before the first, so increase() sees the first one.
    expect(before).toEqual({
      '{method="GET"}': 0,
      '{method="HEAD"}': 0,
      '{method="POST"}': 0,
      '{method="PUT"}': 0,
      '{method="PATCH"}': 0,
      '{method="DELETE"}': 0,
      '{method="OPTIONS"}': 0,
      '{method="other"}': 0,
    });

    // Alertmanager's webhook_config with a mistyped url: its token and body, the wrong path.
    const status = await request('/webhooks/alertmanger', {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(webhook('{}:{alertname="Misrouted"}', [{ labels: { alertname: 'Misrouted', namespace: 'prisoner-offender-search-prod' } }])),
    });
    expect(status).toBe(404);
    expect(await request('/nope/at/all')).toBe(404);
    expect(await request('/also-not-here', { method: 'PROPFIND' })).toBe(404);
    // Answers of routes, and of a known path with a method it does not take: not counted.
    expect(await request('/healthz')).toBe(200);
    expect(await request('/healthz', { method: 'DELETE' })).toBe(405);
    expect((await t.post(webhook('{}:{alertname="Routed"}', [{ labels: { alertname: 'Routed', namespace: 'prisoner-offender-search-prod' } }]))).status).toBe(202);
    await t.idle();

    const after = await unmatched();
    expect(after).toEqual({ ...before, '{method="POST"}': 1, '{method="GET"}': 1, '{method="other"}': 1 });
    expect(await metricsText()).not.toContain('alertmanger');
  });
});
