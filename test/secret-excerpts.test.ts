/**
 * A receiver (or a proxy in front of it) that quotes our secret back in a long error answer: the
 * excerpt alertgate keeps in `lastError` (GET /v1/notifications) and its logs is cut to a few
 * hundred characters, and redaction must come before that cut. Cut first, a routing key or token
 * straddling the cut survives as a prefix (all but its last characters) that no longer matches it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySlackAnswer } from '../src/delivery/slack/errors.js';
import { PD_PAYMENTS_KEY, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

/** The excerpt of a PagerDuty explanation is 300 characters long (delivery/pagerduty/client.ts). */
const PD_EXCERPT = 300;

describe('PagerDuty quoting the routing key across the excerpt cut', () => {
  let fakes: Fakes;
  let t: TestGateway;
  let pd: http.Server;
  beforeAll(async () => {
    pd = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        // The key starts a few characters before the 300th of the explanation.
        const pad = 'p'.repeat(PD_EXCERPT - 'Event object is invalid; '.length - (PD_PAYMENTS_KEY.length - 1));
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Event object is invalid', errors: [`${pad}${PD_PAYMENTS_KEY} is not a known integration key`] }));
      });
    });
    await new Promise<void>((r) => pd.listen(0, '127.0.0.1', r));
    fakes = await startFakes();
    t = await startTestGateway(fakes, { PAGERDUTY_EVENTS_URL: `http://127.0.0.1:${(pd.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await t?.close();
    await fakes?.close();
    await new Promise((r) => pd?.close(r));
  });

  it('keeps no part of the key in lastError or the logs', async () => {
    const res = await t.post(webhook('{}:{alertname="Leak"}', [{ labels: { alertname: 'Leak', namespace: 'payments-prod', severity: 'critical' } }]));
    expect(res.status).toBe(202);
    type Listed = { receiver: string; lastError: string | null };
    let failed: Listed | undefined;
    await waitUntil(async () => {
      const list = (await (await fetch(`${t.gw.url}/v1/notifications?team=payments`)).json()) as { items: Listed[] };
      failed = list.items.find((n) => n.receiver === 'pagerduty' && n.lastError !== null);
      return failed !== undefined;
    }, 10_000, 'a failed PagerDuty notification');
    const prefix = PD_PAYMENTS_KEY.slice(0, 12);
    expect(failed!.lastError).toContain('Event object is invalid');
    expect(failed!.lastError).not.toContain(prefix);
    expect(t.logs.some((l) => l.includes('pagerduty event failed'))).toBe(true);
    expect(t.logs.filter((l) => l.includes(prefix))).toEqual([]);
  });
});

describe('Slack quoting the token across the excerpt cut', () => {
  it('keeps no part of the token in the error', () => {
    const token = 'xoxb-1234567890-ABCDEFGHIJKLMNOP';
    // A proxy's error page, the token straddling its 200th character.
    const body = `${'<html>'.padEnd(158, '.')}Authorization: Bearer ${token}</html>`;
    const answer = classifySlackAnswer({ status: 502, retryAfter: undefined, body }, { method: 'chat.postMessage', token });
    expect(answer.ok).toBe(false);
    const error = (answer as { error: string }).error;
    expect(error).toContain('HTTP 502');
    expect(error).not.toContain(token.slice(0, 8));
  });
});
