/**
 * Fault: Slack refuses every connection for two minutes (FAULTS_SLACK_OUTAGE_MS to change it)
 * while Alertmanager keeps sending. Webhooks keep getting 202 at once, /readyz stays ready (a
 * receiver outage is not the gateway's), PagerDuty keeps paging, alertgate_outbox_depth rises;
 * when Slack is back everything is delivered, in order per group, nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { allNotifications, metricValue, sendLikeAlertmanager, waitForDrain, useFaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { buildScripts, SUMMARY_RE } from './scenario.js';
import { deliveredAlerts, readCalls, verifyFinalStates } from './verify.js';

const OUTAGE_MS = Number(process.env.FAULTS_SLACK_OUTAGE_MS ?? 120_000);
const GROUPS = 20;
const STEPS = 4;

const rig = useFaultRig();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Slack outage', () => {
  it(`Slack refusing connections for ${OUTAGE_MS / 1000} s: 202s, ready, depth rises, then all delivered in order`, async () => {
    // Backoff capped at 4 s (production: 5 min) so delivery resumes soon after Slack is back.
    const gw = await rig().start({ DELIVERY_BACKOFF_BASE_MS: '500', DELIVERY_BACKOFF_MAX_MS: '4000', DELIVERY_MAX_ATTEMPTS: '1000', SLACK_CHANNEL_RATE: '5' });
    const scripts = buildScripts({ seed: 7, groups: GROUPS, steps: STEPS });
    const { slack, pagerduty } = rig().fakes;

    slack.setDown(true);
    const downFrom = Date.now();
    const downUntil = downFrom + OUTAGE_MS;
    const ready: number[] = [];
    const depth: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        ready.push((await fetch(`${gw.url}/readyz`)).status);
        depth.push((await metricValue(gw.url, 'alertgate_outbox_depth')) ?? -1);
        await sleep(1000);
      }
    })();

    // Alertmanager sends each step of every group, spread over the outage.
    const attempts: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const outcomes = await Promise.all(scripts.map((script) => sendLikeAlertmanager(gw.url, script.steps[s])));
      attempts.push(...outcomes.map((o) => (o.status === 202 ? o.attempts : -o.status)));
      if (s < STEPS - 1) await sleep(OUTAGE_MS / (STEPS + 1));
    }
    const pagerDutyDuringOutage = pagerduty.events.filter((e) => e.status === 202).length;
    await sleep(Math.max(0, downUntil - Date.now()));
    sampling = false;
    await sampler;
    const attemptsDuringOutage = slack.requests.length;
    const pendingAtEnd = (await allNotifications(gw.url)).filter((n) => n.receiver === 'slack' && (n.status === 'pending' || n.status === 'failed')).length;
    const depthAtEnd = await metricValue(gw.url, 'alertgate_outbox_depth');
    slack.setDown(false);
    const upFrom = Date.now();

    // Every webhook was accepted on its first attempt, and the gateway stayed ready throughout.
    expect(attempts.every((a) => a === 1)).toBe(true);
    expect(ready.length).toBeGreaterThan(OUTAGE_MS / 2000);
    expect(ready.every((s) => s === 200)).toBe(true);
    // The backlog is visible: depth rose while Slack was down and equals what waits for Slack.
    expect(depth[0]!).toBeLessThan(depth[depth.length - 1]!);
    expect(depthAtEnd).toBe(pendingAtEnd);
    expect(pendingAtEnd).toBeGreaterThanOrEqual(GROUPS);
    // The gateway kept trying Slack, and PagerDuty (up) was not held back by Slack.
    expect(attemptsDuringOutage).toBeGreaterThan(0);
    expect(pagerDutyDuringOutage).toBeGreaterThanOrEqual(GROUPS);

    await waitForDrain(gw.url, 120_000);
    const notifications = await allNotifications(gw.url);
    expect(notifications.filter((n) => n.status !== 'sent' && n.status !== 'suppressed')).toEqual([]);
    const verdicts = verifyFinalStates(scripts, slack, pagerduty);
    expect(verdicts.flatMap((v) => v.problems.map((p) => `group ${v.script.index}: ${p}`))).toEqual([]);

    // In order per group: the steps Slack saw (posts and edits) only ever go forward.
    const seen = new Map<number, number[]>();
    for (const r of slack.requests.filter((q) => q.at >= upFrom && q.method !== 'auth.test')) {
      const m = SUMMARY_RE.exec(String(r.body.text));
      if (m) seen.set(Number(m[1]), [...(seen.get(Number(m[1])) ?? []), Number(m[2])]);
    }
    expect(seen.size).toBe(GROUPS);
    for (const [group, steps] of seen) expect(steps, `group ${group}`).toEqual([...steps].sort((a, b) => a - b));

    const calls = readCalls(slack, pagerduty, { slackAnswered: (r) => r.at < downFrom || r.at >= upFrom });
    const duplicated = calls.duplicates.posts + calls.duplicates.replies + calls.duplicates.pagerduty;
    expect(duplicated).toBe(0);
    const alertsSent = scripts.reduce((n, s) => n + s.instances.length, 0);
    const delivered = deliveredAlerts(verdicts);
    expect(delivered).toBe(alertsSent);
    recordFaultRow({
      case: `Slack refusing connections for ${OUTAGE_MS / 1000} s`,
      alertsSent,
      delivered,
      dead: 0,
      lost: alertsSent - delivered,
      duplicated,
      notes:
        `${GROUPS * STEPS} webhooks, all 202 at first attempt; /readyz 200 in ${ready.length} samples; outbox depth ${depth[0]} → ${depthAtEnd}; ` +
        `${attemptsDuringOutage} Slack attempts refused; drained ${Math.round((Date.now() - upFrom) / 1000)} s after Slack returned`,
    });
  });
});
