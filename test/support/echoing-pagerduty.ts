/**
 * A test gateway whose PAGERDUTY_EVENTS_URL points at a loopback server the test writes the answer
 * of (a refusing proxy, or PagerDuty itself, quoting back what it was sent), with the fake Slack
 * and PagerDuty otherwise: registered as the describe block's beforeAll/afterAll. Read the fields
 * inside tests, after beforeAll ran. For the tests that a receiver's echo of our secrets stays out
 * of `lastError` (GET /v1/notifications) and the logs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './gateway.js';
import { webhook } from './payloads.js';

export interface EchoingPagerDutyGateway {
  fakes: Fakes;
  t: TestGateway;
}

/**
 * `answer` answers every PagerDuty event (its body already being read). `userinfo` (`user:password`,
 * percent-encoded as a URL holds it) goes into PAGERDUTY_EVENTS_URL, for node:http to send as basic
 * auth.
 */
export function useEchoingPagerDutyGateway(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  o: { userinfo?: string } = {},
): EchoingPagerDutyGateway {
  const s = {} as EchoingPagerDutyGateway;
  let server: http.Server | undefined;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      answer(req, res);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    s.fakes = await startFakes();
    const userinfo = o.userinfo === undefined ? '' : `${o.userinfo}@`;
    s.t = await startTestGateway(s.fakes, { PAGERDUTY_EVENTS_URL: `http://${userinfo}127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await s.t?.close();
    await s.fakes?.close();
    await new Promise((r) => server?.close(r));
  });
  return s;
}

/**
 * Posts one critical payments alert named `alertname` (accepted: 202) and waits for its PagerDuty
 * notification (the one whose group holds `alertname`) to have failed; its `lastError`.
 */
export async function failedPagerDutyError(t: TestGateway, alertname: string): Promise<string> {
  const res = await t.post(webhook(`{}:{alertname="${alertname}"}`, [{ labels: { alertname, namespace: 'payments-prod', severity: 'critical' } }]));
  expect(res.status).toBe(202);
  type Listed = { receiver: string; lastError: string | null; group: { alertnames: string[] } };
  let lastError: string | undefined;
  await waitUntil(async () => {
    const list = (await (await fetch(`${t.gw.url}/v1/notifications?team=payments`)).json()) as { items: Listed[] };
    // This alert's own notification: another test on the same gateway may have failed one before.
    lastError = list.items.find((n) => n.receiver === 'pagerduty' && n.group.alertnames.includes(alertname) && n.lastError !== null)?.lastError ?? undefined;
    return lastError !== undefined;
  }, 10_000, `a failed PagerDuty notification of ${alertname}`);
  return lastError!;
}
