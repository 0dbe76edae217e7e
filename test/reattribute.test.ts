/**
 * Ownership moving while an alert fires (routes change and are reloaded): the team that was
 * paged hears the end of its episode (its PagerDuty incident resolved, its Slack message
 * updated), and the team that owns the alert now hears of it at once, not at Alertmanager's next
 * resend; the alert's later resolution reaches the new owner only.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let dir: string;
beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-reattribute-'));
  await cp(ESTATE_DIR, dir, { recursive: true });
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir });
});
afterEach(async () => {
  await t.close();
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});

const body = (status: 'firing' | 'resolved') =>
  webhook('{}:{alertname="DiskFull"}', [{ labels: { alertname: 'DiskFull', namespace: 'payments-staging', severity: 'critical' }, status, fingerprint: 'c000000000000001' }]);

/** payments-staging handed over from payments to prisons. */
async function handOver(): Promise<void> {
  const payments = join(dir, 'routes/payments.yaml');
  await writeFile(payments, (await readFile(payments, 'utf8')).replace('[payments-prod, payments-staging]', '[payments-prod]'));
  const prisons = join(dir, 'routes/prisons.yaml');
  await writeFile(prisons, (await readFile(prisons, 'utf8')).replace('[prisoner-offender-search-prod]', '[prisoner-offender-search-prod, payments-staging]'));
  const r = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
}

it('resolves the old owner’s episode and tells the new owner at once when ownership moves', async () => {
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['triggered']);
  await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-alerts');

  await handOver();
  // No webhook: the reload alone moves the firing alert.
  await fakes.pagerduty.waitFor((e) => (e.body as { event_action?: string }).event_action === 'resolve');
  const prisonsPost = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#prisons-alerts');
  expect(String(prisonsPost.body.text)).toContain('DiskFull');
  await fakes.slack.waitFor((r) => r.method === 'chat.update');
  await t.idle();
  const paymentsChannel = fakes.slack.channelIds.get('payments-alerts');
  const paymentsMessages = [...fakes.slack.messages.values()].filter((m) => m.channel === paymentsChannel);
  expect(paymentsMessages.map((m) => [m.edits, m.text.includes('RESOLVED')])).toEqual([[1, true]]);
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['resolved']);
  const byTeam = async (team: string) =>
    ((await (await fetch(`${t.gw.url}/v1/alerts?team=${team}`)).json()) as { items: { status: string }[] }).items.map((a) => a.status);
  expect(await byTeam('payments')).toEqual(['resolved']);
  expect(await byTeam('prisons')).toEqual(['firing']);

  // The resolution reaches the new owner; nothing more is sent to the old one.
  const pdEvents = fakes.pagerduty.events.length;
  expect((await t.post(body('resolved'))).status).toBe(202);
  await t.idle();
  expect(await byTeam('prisons')).toEqual(['resolved']);
  expect(fakes.pagerduty.events).toHaveLength(pdEvents);
  expect(t.logs.some((l) => l.includes('firing alerts moved') && l.includes('payments → prisons'))).toBe(true);
});

it('moves nothing on a reload that changes no ownership', async () => {
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  const calls = fakes.slack.requests.length;
  const r = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
  // A webhook after the reload is decided after the pass (both are writes, in order).
  expect((await t.post(webhook('{}:{alertname="Other"}', [{ labels: { alertname: 'Other', namespace: 'payments-prod' } }]))).status).toBe(202);
  await t.idle();
  expect(fakes.slack.requests.slice(calls).map((q) => q.body.channel)).toEqual(['#payments-alerts']);
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['triggered']);
  expect(t.logs.filter((l) => l.includes('firing alerts moved'))).toEqual([]);
});
