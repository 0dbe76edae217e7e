/**
 * Fault: Slack answers 429 with `Retry-After: 30` on one channel. That whole channel waits 30 s
 * (no post, edit or reply to it before then), while the other teams' channels and PagerDuty
 * keep delivering; afterwards the held channel gets everything, nothing lost or doubled.
 */
import { describe, expect, it } from 'vitest';
import { allNotifications, channelOf, sendLikeAlertmanager, waitForDrain, useFaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { waitUntil } from '../support/gateway.js';
import { buildScripts } from './scenario.js';
import { deliveredAlerts, readCalls, verifyFinalStates } from './verify.js';

const RETRY_AFTER_S = 30;

const rig = useFaultRig();

describe('Slack rate limit on one channel', () => {
  it(`429 Retry-After: ${RETRY_AFTER_S} holds that channel ${RETRY_AFTER_S} s; other channels keep delivering`, async () => {
    const gw = await rig().start();
    const { slack, pagerduty } = rig().fakes;
    // Groups 0 and 4 belong to alpha (the limited channel), 1–3 to bravo, charlie and delta.
    const scripts = buildScripts({ seed: 429, groups: 5, steps: 2 });
    const send = async (group: number, step: number) => expect((await sendLikeAlertmanager(gw.url, scripts[group]!.steps[step])).status).toBe(202);
    const alpha = channelOf('alpha');

    await send(0, 0);
    await slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === alpha, 10_000);
    const alphaId = slack.channelIds.get(alpha.slice(1))!;

    slack.respondWith([{ status: 429, headers: { 'retry-after': String(RETRY_AFTER_S) } }]);
    await send(4, 0);
    const limited = await slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('fault-group 4 '), 10_000);
    // While alpha is held: a change to its existing message, and the other teams' traffic.
    for (const g of [1, 2, 3]) await send(g, 0);
    await send(0, 1);
    for (const g of [1, 2, 3, 4]) await send(g, 1);

    const others = scripts.slice(1, 4);
    const othersDone = () => verifyFinalStates(others, slack, pagerduty).every((v) => v.problems.length === 0);
    await waitUntil(othersDone, 10_000, 'the other channels to deliver');
    const othersDoneAfterMs = Date.now() - limited.at;
    expect(othersDoneAfterMs).toBeLessThan(RETRY_AFTER_S * 1000 / 2);

    await waitForDrain(gw.url, (RETRY_AFTER_S + 30) * 1000);
    const toAlpha = slack.requests.filter((r) => r !== limited && r.at >= limited.at && (r.body.channel === alpha || r.body.channel === alphaId));
    expect(toAlpha.length).toBeGreaterThan(0);
    const firstAfterMs = Math.min(...toAlpha.map((r) => r.at - limited.at));
    expect(firstAfterMs).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);

    const notifications = await allNotifications(gw.url);
    expect(notifications.filter((n) => n.status !== 'sent' && n.status !== 'suppressed')).toEqual([]);
    const verdicts = verifyFinalStates(scripts, slack, pagerduty);
    expect(verdicts.flatMap((v) => v.problems.map((p) => `group ${v.script.index}: ${p}`))).toEqual([]);
    const calls = readCalls(slack, pagerduty, { slackAnswered: (r) => r !== limited });
    const duplicated = calls.duplicates.posts + calls.duplicates.replies + calls.duplicates.pagerduty;
    expect(duplicated).toBe(0);
    const alertsSent = scripts.reduce((n, s) => n + s.instances.length, 0);
    const delivered = deliveredAlerts(verdicts);
    expect(delivered).toBe(alertsSent);
    recordFaultRow({
      case: `Slack 429 Retry-After: ${RETRY_AFTER_S} on one channel`,
      alertsSent,
      delivered,
      dead: 0,
      lost: alertsSent - delivered,
      duplicated,
      notes: `held channel's next call ${(firstAfterMs / 1000).toFixed(1)} s after the 429; other channels finished ${(othersDoneAfterMs / 1000).toFixed(1)} s after it`,
    });
  });
});
