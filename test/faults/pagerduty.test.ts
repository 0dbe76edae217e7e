/**
 * Faults at PagerDuty. A 400 (invalid event) is final: the notification is dead after one
 * attempt with PagerDuty's own error text in `lastError`, visible in the API and metrics, and an
 * admin retry sends it. 5xx are retried with backoff, a 429 after its Retry-After, until PagerDuty accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allNotifications, FAULT_SECRETS, metricValue, sendLikeAlertmanager, startFaultRig, waitForDrain, type FaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { ADMIN_TOKEN, waitUntil } from '../support/gateway.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { assertNoSecrets } from '../support/secrets.js';
import { buildScripts, type GroupScript } from './scenario.js';
import { deliveredAlerts, readCalls, verifyFinalStates } from './verify.js';

let rig: FaultRig;
let gw: GatewayProcess;
beforeAll(async () => {
  rig = await startFaultRig();
  gw = await rig.start();
});
afterAll(async () => {
  if (rig) assertNoSecrets(rig.logLines(), FAULT_SECRETS);
  await rig?.close();
});

const eventsOf = (script: GroupScript) =>
  rig.fakes.pagerduty.events.filter((e) => String((e.body as { payload?: { summary?: string } }).payload?.summary).includes(`fault-group ${script.index} `));

describe('PagerDuty failures', () => {
  it('400 invalid event → dead at once with PagerDuty\'s error text, not retried; an admin retry delivers it', async () => {
    const [script, later] = buildScripts({ seed: 400, groups: 2, steps: 1 }) as [GroupScript, GroupScript];
    const pdError = "'payload.summary' is missing or blank";
    rig.fakes.pagerduty.respondWith([{ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: [pdError] } }]);
    expect((await sendLikeAlertmanager(gw.url, script.steps[0])).status).toBe(202);
    await waitUntil(async () => (await allNotifications(gw.url, 'dead')).length === 1, 10_000, 'the PagerDuty notification to be dead');
    const [dead] = await allNotifications(gw.url, 'dead');
    expect(dead).toMatchObject({ receiver: 'pagerduty', team: script.team, attempts: 1 });
    expect(dead!.lastError).toContain('400');
    expect(dead!.lastError).toContain('Event object is invalid');
    expect(dead!.lastError).toContain(pdError);
    // Every team's dead series is shown at 0 from the start: read this team's PagerDuty one.
    expect(await metricValue(gw.url, 'alertgate_notifications_total', `team="${script.team}",receiver="pagerduty",outcome="dead"`)).toBe(1);

    // Not retried: a later group is delivered, and the dead one was still tried only once.
    expect((await sendLikeAlertmanager(gw.url, later.steps[0])).status).toBe(202);
    await waitForDrain(gw.url, 10_000);
    await rig.fakes.pagerduty.waitFor((e) => String((e.body as { payload?: { summary?: string } }).payload?.summary).includes(`fault-group ${later.index} `));
    expect(eventsOf(script)).toHaveLength(1);
    // Slack was not held back by PagerDuty's refusal.
    expect(verifyFinalStates([script], rig.fakes.slack, rig.fakes.pagerduty)[0]!.slackOk.size).toBe(script.instances.length);

    const retry = await fetch(`${gw.url}/v1/notifications/${dead!.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retry.status).toBe(202);
    await waitForDrain(gw.url, 10_000);
    const verdicts = verifyFinalStates([script, later], rig.fakes.slack, rig.fakes.pagerduty);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    recordFaultRow({
      case: 'PagerDuty 400 invalid event',
      alertsSent: script.instances.length,
      delivered: 0,
      dead: script.instances.length,
      lost: 0,
      duplicated: 0,
      notes: `dead after 1 attempt, lastError "${dead!.lastError}"; Slack delivered; an admin retry then delivered it to PagerDuty`,
    });
  });

  it('500, 502, 503, then 429 Retry-After: 1 → retried with backoff, then delivered once', async () => {
    const [, , script] = buildScripts({ seed: 500, groups: 3, steps: 1 }) as [GroupScript, GroupScript, GroupScript];
    rig.fakes.pagerduty.respondWith([{ status: 500 }, { status: 502, body: '<html>bad gateway</html>' }, { status: 503 }, { status: 429, headers: { 'retry-after': '1' } }]);
    const before = rig.fakes.pagerduty.events.length;
    expect((await sendLikeAlertmanager(gw.url, script.steps[0])).status).toBe(202);
    await rig.fakes.pagerduty.waitFor((e) => e.status === 202 && String((e.body as { payload?: { summary?: string } }).payload?.summary).includes(`fault-group ${script.index} `), 20_000);
    await waitForDrain(gw.url, 10_000);
    const tries = rig.fakes.pagerduty.events.slice(before);
    expect(tries.map((e) => e.status)).toEqual([500, 502, 503, 429, 202]);
    // Retry-After: 1 was honoured between the 429 and the success.
    expect(tries[4]!.at - tries[3]!.at).toBeGreaterThanOrEqual(950);
    const sent = (await allNotifications(gw.url, 'sent')).filter((n) => n.receiver === 'pagerduty' && n.groupKey === script.groupKey);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.attempts).toBe(5);
    const verdicts = verifyFinalStates([script], rig.fakes.slack, rig.fakes.pagerduty);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    const calls = readCalls(rig.fakes.slack, rig.fakes.pagerduty);
    expect(calls.duplicates.pagerduty).toBe(0);
    recordFaultRow({
      case: 'PagerDuty 500, 502, 503, 429 Retry-After: 1',
      alertsSent: script.instances.length,
      delivered: deliveredAlerts(verdicts),
      dead: 0,
      lost: script.instances.length - deliveredAlerts(verdicts),
      duplicated: calls.duplicates.pagerduty,
      notes: `delivered on attempt 5, ${((tries[4]!.at - tries[0]!.at) / 1000).toFixed(1)} s after the first try`,
    });
  });
});
