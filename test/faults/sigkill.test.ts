/**
 * Fault: the gateway process is SIGKILLed at 10 seeded moments while 1,000 webhooks (100 groups
 * over four teams, alerts firing, resolving and firing again) are posted and retried the way
 * Alertmanager retries. After the restarts every group's final state is at Slack and PagerDuty,
 * nothing is dead or left in the outbox, and every receiver call made twice was in flight at a
 * kill (its two arrivals straddle that kill). Replay a run with FAULTS_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import { allNotifications, sendLikeAlertmanager, waitForDrain, useFaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { buildScripts, seededRandom } from './scenario.js';
import { deliveredAlerts, readCalls, repeatsWithoutKill, traceGroup, verifyFinalStates } from './verify.js';

const SEED = Number(process.env.FAULTS_SEED ?? 20261120);
const GROUPS = 100;
const STEPS = 10;
const KILLS = 10;
/** Groups posted at once (Alertmanager sends each group's notifications in order, groups in parallel). */
const SENDERS = 12;

const rig = useFaultRig();

describe('SIGKILL during a webhook storm', () => {
  it(`${KILLS} kills while ${GROUPS * STEPS} webhooks are sent: no group lost, repeats only at kills`, async () => {
    const scripts = buildScripts({ seed: SEED, groups: GROUPS, steps: STEPS });
    const random = seededRandom(SEED ^ 0x5eed);
    const total = GROUPS * STEPS;
    // Kill after these many webhooks were accepted, plus a few ms so kills land mid-delivery.
    const thresholds = [...new Set(Array.from({ length: KILLS * 3 }, () => 40 + Math.floor(random() * (total - 80))))].slice(0, KILLS).sort((a, b) => a - b);
    const jitterMs = thresholds.map(() => Math.floor(random() * 40));
    expect(thresholds).toHaveLength(KILLS);

    const env = { SLACK_CHANNEL_RATE: '200', SLACK_CHANNEL_BURST: '50' };
    let gw: GatewayProcess = await rig().start(env);
    let accepted = 0;
    let retried = 0;
    const statuses = new Map<number, number>();
    let onAccepted: (() => void) | undefined;

    const queue = [...scripts];
    const sender = async () => {
      for (let script = queue.shift(); script; script = queue.shift()) {
        for (const body of script.steps) {
          const outcome = await sendLikeAlertmanager(rig().url, body, { baseMs: 50, maxMs: 1000, random });
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          retried += outcome.attempts - 1;
          if (outcome.status === 202) accepted += 1;
          onAccepted?.();
        }
      }
    };

    const killTimes: number[] = [];
    /** When each generation after a kill started listening (its own clock, the same host clock). */
    const restarts: number[] = [];
    const killer = async () => {
      for (const [k, threshold] of thresholds.entries()) {
        if (accepted < threshold) await new Promise<void>((resolve) => (onAccepted = () => accepted >= threshold && resolve()));
        onAccepted = undefined;
        await new Promise((r) => setTimeout(r, jitterMs[k]));
        killTimes.push(Date.now());
        expect(await gw.kill('SIGKILL')).toBeNull();
        gw = await rig().start(env);
        const listening = await gw.waitForLog((l) => l.msg === 'alertgate listening');
        restarts.push(Date.parse(String(listening.time)));
      }
    };

    const started = Date.now();
    await Promise.all([killer(), ...Array.from({ length: SENDERS }, sender)]);
    expect(killTimes).toHaveLength(KILLS);
    // Every webhook was finally accepted: none refused with a 4xx (Alertmanager would drop it).
    expect(Object.fromEntries(statuses)).toEqual({ 202: total });

    await waitForDrain(gw.url, 120_000);
    const notifications = await allNotifications(gw.url);
    expect(notifications.filter((n) => n.status === 'dead')).toEqual([]);
    expect(notifications.filter((n) => n.status === 'pending' || n.status === 'failed')).toEqual([]);

    const { slack, pagerduty } = rig().fakes;
    const verdicts = verifyFinalStates(scripts, slack, pagerduty);
    const failed = verdicts.filter((v) => v.problems.length > 0);
    const explain = () =>
      failed.slice(0, 3).flatMap((v) => [
        `group ${v.script.index}: ${v.problems.join('; ')}`,
        ...v.script.steps.map((b, i) => `  step ${i}: ${(b.alerts as { status: string }[]).map((a) => a.status).join(',')}`),
        ...notifications.filter((n) => n.groupKey === v.script.groupKey).reverse().map((n) => `  notification ${n.id} ${n.receiver} ${n.kind} ${n.status} attempts=${n.attempts} ${n.group.status}`),
        ...traceGroup(v.script.index, slack, pagerduty, started).map((l) => `  ${l}`),
        `  kills at ${killTimes.map((k) => `+${k - started}ms`).join(' ')}`,
      ]);
    expect(failed.length, explain().join('\n')).toBe(0);

    // Every call the gateway meant to make was made (distinct calls = notifications sent) ...
    const calls = readCalls(slack, pagerduty);
    const sent = notifications.filter((n) => n.status === 'sent');
    const sentSlackNew = sent.filter((n) => n.receiver === 'slack' && n.kind === 'new').length;
    const sentSlackEdits = sent.filter((n) => n.receiver === 'slack' && n.kind !== 'new').length;
    expect(calls.distinct).toEqual({
      posts: sentSlackNew,
      updates: sentSlackEdits,
      replies: sentSlackEdits,
      pagerduty: sent.filter((n) => n.receiver === 'pagerduty').length,
    });
    // ... and a call made twice was in flight at a kill: sent by the killed process, repeated by the next.
    expect(repeatsWithoutKill(calls, restarts)).toEqual([]);

    const alertsSent = scripts.reduce((n, s) => n + s.instances.length, 0);
    const delivered = deliveredAlerts(verdicts);
    const duplicated = calls.duplicates.posts + calls.duplicates.replies + calls.duplicates.pagerduty;
    expect(delivered).toBe(alertsSent);
    // At most what can be in flight: 8 deliveries at once (the worker's concurrency), 2 calls each.
    expect(duplicated).toBeLessThanOrEqual(KILLS * 8 * 2);
    recordFaultRow({
      case: `SIGKILL x${KILLS} during ${total} webhooks (seed ${SEED})`,
      alertsSent,
      delivered,
      dead: 0,
      lost: alertsSent - delivered,
      duplicated,
      notes:
        `${GROUPS} groups, 4 teams, Slack+PagerDuty; duplicates: ${calls.duplicates.posts} Slack posts, ${calls.duplicates.replies} thread replies, ` +
        `${calls.duplicates.pagerduty} PagerDuty events (+${calls.duplicates.updates} repeated idempotent edits), each straddling a kill; ` +
        `${retried} webhook retries by the sender; ${Math.round((Date.now() - started) / 1000)} s`,
    });
  });
});
