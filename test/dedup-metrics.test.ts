/**
 * What dedup ignores or ends without Alertmanager showing it, counted on /metrics of a real
 * gateway: a firing copy of an alert already resolved (an HA peer's late notification,
 * `stale_firing`), a resolved copy of an alert's earlier episode while it fires again
 * (`late_resolved`), a firing copy of a resolved alert the group has dropped since
 * (`stale_firing_dropped`), and a firing alert the notification left out, taken as resolved
 * (alertgate_alerts_ended_unseen_total). Before, these decisions showed only in Slack and
 * PagerDuty (nothing sent, or RESOLVED), with no log line or metric to tell an operator why.
 */
import { expect, it } from 'vitest';
import type { Fakes, TestGateway } from './support/gateway.js';
import { withGatewayPerTest } from './support/gateway-hooks.js';
import { webhook, type TestAlert } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
withGatewayPerTest((started) => ({ fakes, t } = started));

const GROUP = '{}:{alertname="HaCopies"}';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
/** An alert of the prisons team's group; a resolved one ends 30 minutes after `startsAt` (payloads.ts). */
const alert = (instance: string, startsAt: string, status: 'firing' | 'resolved' = 'firing'): TestAlert => ({
  labels: { alertname: 'HaCopies', instance, namespace: 'prisoner-offender-search-prod' },
  fingerprint: `fp-${instance}`,
  startsAt,
  status,
});

async function counts(): Promise<{ staleFiring: number; staleFiringDropped: number; lateResolved: number; endedUnseen: number }> {
  const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  const value = (series: string) => {
    const m = new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
    if (!m) throw new Error(`/metrics has no ${series}`);
    return Number(m[1]);
  };
  return {
    staleFiring: value('alertgate_dedup_stale_copies_total{kind="stale_firing"}'),
    staleFiringDropped: value('alertgate_dedup_stale_copies_total{kind="stale_firing_dropped"}'),
    lateResolved: value('alertgate_dedup_stale_copies_total{kind="late_resolved"}'),
    endedUnseen: value('alertgate_alerts_ended_unseen_total'),
  };
}

async function send(alerts: TestAlert[]): Promise<void> {
  expect((await t.post(webhook(GROUP, alerts))).status).toBe(202);
}

it('counts stale firing copies, late resolved copies and alerts ended unseen, from 0', async () => {
  // s: resolves a minute from now (within the stale-copy window); l: its first episode ended half an hour ago.
  const s0 = minutesAgo(29);
  const l0 = minutesAgo(60);
  const l1 = minutesAgo(5);
  expect(await counts()).toEqual({ staleFiring: 0, staleFiringDropped: 0, lateResolved: 0, endedUnseen: 0 });

  await send([alert('s', s0), alert('l', l0), alert('u', l0)]);
  await send([alert('s', s0, 'resolved'), alert('l', l0, 'resolved'), alert('u', l0)]);
  expect(await counts()).toEqual({ staleFiring: 0, staleFiringDropped: 0, lateResolved: 0, endedUnseen: 0 });

  // A lagging peer's copy still shows s firing; l fires again, as a new episode.
  await send([alert('s', s0), alert('l', l1), alert('u', l0)]);
  expect(await counts()).toEqual({ staleFiring: 1, staleFiringDropped: 0, lateResolved: 0, endedUnseen: 0 });

  // A late copy of l's first episode's end (an older snapshot: u, which it shows, fires there).
  await send([alert('s', s0, 'resolved'), alert('l', l0, 'resolved'), alert('u', l0)]);
  expect(await counts()).toEqual({ staleFiring: 1, staleFiringDropped: 0, lateResolved: 1, endedUnseen: 0 });
  // Alertmanager's next notification leaves u out (silenced there).
  await send([alert('s', s0, 'resolved'), alert('l', l1)]);
  expect(await counts()).toEqual({ staleFiring: 1, staleFiringDropped: 0, lateResolved: 1, endedUnseen: 1 });

  // What the counts stand for: l still fires; s and u are resolved.
  const alerts = (await t.gw.store.listAlerts({ limit: 10 })).items.filter((a) => a.groupKey === GROUP);
  expect(Object.fromEntries(alerts.map((a) => [a.fingerprint, a.status]))).toEqual({ 'fp-s': 'resolved', 'fp-l': 'firing' });
});

it('counts a firing copy of a resolved alert the group has dropped since, and keeps it dropped', async () => {
  const start = minutesAgo(29); // d resolves a minute from now: within the stale-copy window
  await send([alert('d', start), alert('k', start)]);
  await send([alert('d', start, 'resolved'), alert('k', start)]);
  // Alertmanager's next notification leaves the resolved alert out: the group drops it.
  await send([alert('k', start)]);
  await t.idle();
  const messagesBefore = fakes.slack.requests.length;

  // A lagging peer's copy from before the end still shows d firing.
  await send([alert('d', start), alert('k', start)]);
  expect(await counts()).toEqual({ staleFiring: 0, staleFiringDropped: 1, lateResolved: 0, endedUnseen: 0 });
  await t.idle();
  expect(fakes.slack.requests.length).toBe(messagesBefore);
  const alerts = (await t.gw.store.listAlerts({ limit: 10 })).items.filter((a) => a.groupKey === GROUP);
  expect(Object.fromEntries(alerts.map((a) => [a.fingerprint, a.status]))).toEqual({ 'fp-k': 'firing' });
});
