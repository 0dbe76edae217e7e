/**
 * A real Alertmanager whose webhook_config url is mistyped (`/webhook/alertmanager`): its
 * notifications get 404s, which it drops for good. alertgate shows it twice: the POST series of
 * alertgate_http_unmatched_requests_total (what AlertgateWebhooksMisdirected alerts on), and a
 * `no route for this path` warning naming the path and Alertmanager as the sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerProcess } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import { startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';

const binary = requireBinary('prometheus-alertmanager');

let fakes: Fakes;
let t: TestGateway;
let am: AlertmanagerProcess | undefined;

beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterAll(async () => {
  await am?.stop();
  await t?.close();
  await fakes?.close();
});

async function metric(series: string): Promise<number | undefined> {
  const text = await (await fetch(`${t.gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.skipIf(binary === undefined)('a real Alertmanager posting to a mistyped path', () => {
  it('is counted by method and logged with the path and its user agent; nothing reaches the webhook', async () => {
    expect(await metric('alertgate_http_unmatched_requests_total{method="POST"}')).toBe(0);
    am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhook/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s' });
    await am.postAlerts([{ labels: { alertname: 'Misdirected', namespace: 'payments-prod', severity: 'critical' }, annotations: { summary: 'lost' } }]);

    const line = await t.waitForLog((l) => String(l.msg).startsWith('no route for this path'), 20_000);
    expect(line).toMatchObject({ level: 'warn', method: 'POST', path: '/webhook/alertmanager', userAgent: expect.stringMatching(/^Alertmanager\//) });
    expect(await metric('alertgate_http_unmatched_requests_total{method="POST"}')).toBeGreaterThanOrEqual(1);
    expect((await metric('alertgate_webhook_requests_total{code="202"}')) ?? 0).toBe(0);
    expect(JSON.stringify(line)).not.toContain(WEBHOOK_TOKEN);
  });
});
