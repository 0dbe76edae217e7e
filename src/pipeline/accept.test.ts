/**
 * acceptNotification over a real (in-memory SQLite) store and the test estate: what only the
 * whole stage sees, across teams of one Alertmanager group.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from '../config/load-routes.js';
import type { RoutingConfig } from '../config/types.js';
import type { Alert, IncomingNotification } from '../model/alert.js';
import { teamGroupId } from '../model/group-id.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { TRUNCATED_END_COPY_WINDOW_MS } from '../dedup/merge-alerts.js';
import { parseMatchers } from '../config/matchers.js';
import { acceptNotification } from './accept.js';

const ESTATE_DIR = fileURLToPath(new URL('../../test/fixtures/estate', import.meta.url));
const GROUP_KEY = '{}:{alertname="Spread"}';
const t0 = Date.parse('2026-11-20T09:00:00Z');

let store: Store;
let config: RoutingConfig;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  const loaded = await loadRoutingConfig(ESTATE_DIR, { TEST_PD_PAYMENTS_KEY: 'k' });
  config = loaded.config!;
});
afterEach(async () => {
  await store.close();
});

function alert(instance: string, namespace: string, status: 'firing' | 'resolved' = 'firing'): Alert {
  return {
    fingerprint: `fp-${instance}`,
    status,
    labels: { alertname: 'Spread', instance, namespace, severity: 'critical' },
    annotations: {},
    startsAt: '2026-11-20T08:00:00.000Z',
    endsAt: status === 'resolved' ? '2026-11-20T09:30:00.000Z' : null,
    generatorURL: '',
  };
}

function notification(alerts: Alert[], truncatedAlerts = 0): IncomingNotification {
  return {
    receiver: 'alertgate',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: GROUP_KEY,
    groupLabels: { alertname: 'Spread' },
    commonLabels: { alertname: 'Spread' },
    commonAnnotations: {},
    externalURL: 'http://am:9093',
    truncatedAlerts,
    alerts,
  };
}

const accept = (n: IncomingNotification, at: number) => acceptNotification(store, config, n, { now: () => new Date(at) });
const sent = (notes: { team: string; target: { type: string }; kind: string; status: string }[]) =>
  notes.filter((x) => x.status === 'pending').map((x) => `${x.team}:${x.target.type}:${x.kind}`).sort();

describe('acceptNotification with truncated notifications (Alertmanager max_alerts)', () => {
  it('resolves a team group the final, all-resolved, truncated notification shows none of (its alerts were all left out)', async () => {
    // Alertmanager sorts by labels: the platform alerts (i1, i2) come first, payments' (i3) after.
    await accept(notification([alert('i1', 'monitoring'), alert('i3', 'payments-prod')]), t0);
    const added = await accept(notification([alert('i1', 'monitoring'), alert('i2', 'monitoring')], 1), t0 + 1000);
    expect(sent(added.notifications)).toEqual(['platform:slack:changed']);
    expect((await store.getGroup(teamGroupId('payments', GROUP_KEY)))?.status).toBe('firing');

    // The last notification: i1 and i2 resolved, i3 (resolved too) left out; no payments alert shown.
    const last = await accept(notification([alert('i1', 'monitoring', 'resolved'), alert('i2', 'monitoring', 'resolved')], 1), t0 + 2000);
    expect(sent(last.notifications)).toEqual(['payments:pagerduty:resolved', 'payments:slack:resolved', 'platform:slack:resolved']);
    const payments = last.notifications.find((x) => x.team === 'payments');
    expect(payments?.snapshot).toMatchObject({ status: 'resolved', truncatedAlerts: 1, change: { resolved: ['fp-i3'] } });
    expect(payments?.snapshot.alerts.map((a) => `${a.fingerprint}:${a.status}`)).toEqual(['fp-i3:resolved']);
    expect((await store.getGroup(teamGroupId('payments', GROUP_KEY)))?.status).toBe('resolved');
    // Only the webhook's own teams count as received.
    expect(last.teams.map((x) => x.team)).toEqual(['platform']);
  });

  it('leaves a team group it shows none of alone while the truncated notification still fires', async () => {
    await accept(notification([alert('i1', 'monitoring'), alert('i3', 'payments-prod')]), t0);
    const firing = await accept(notification([alert('i1', 'monitoring', 'resolved'), alert('i2', 'monitoring')], 1), t0 + 1000);
    expect(sent(firing.notifications)).toEqual(['platform:slack:changed']);
    expect((await store.getGroup(teamGroupId('payments', GROUP_KEY)))?.alerts.map((a) => a.status)).toEqual(['firing']);
  });

  it("ends nothing with a late copy of a truncated all-resolved notification taken already (an HA peer's): what it left out has fired since", async () => {
    // Alertmanager sorts by labels: i1 and i2 (payments) come first, i3 (payments) and m4 (platform) after.
    const firing = [alert('i1', 'payments-prod'), alert('i2', 'payments-prod')];
    await accept(notification(firing, 2), t0);
    const end = notification([alert('i1', 'payments-prod', 'resolved'), alert('i2', 'payments-prod', 'resolved')], 2);
    const first = await accept(end, t0 + 1000);
    expect(sent(first.notifications)).toEqual(['payments:pagerduty:resolved', 'payments:slack:resolved']);
    // Alertmanager dropped i1 and i2 once notified: its next notification shows the rest, firing.
    const rest = await accept(notification([alert('i3', 'payments-prod'), alert('m4', 'monitoring')]), t0 + 2000);
    expect(sent(rest.notifications)).toEqual(['payments:pagerduty:new', 'payments:slack:new', 'platform:slack:new']);

    // The other peer's copy of the end comes now.
    const late = await accept(end, t0 + 3000);
    expect(sent(late.notifications)).toEqual([]);
    for (const team of ['payments', 'platform']) expect((await store.getGroup(teamGroupId(team, GROUP_KEY)))?.status).toBe('firing');
  });

  it("ends nothing with a peer's copy of an end a maintenance window held, its group's last notification hours before", async () => {
    await accept(notification([alert('i1', 'payments-prod'), alert('i2', 'payments-prod')], 2), t0);
    const end = notification([alert('i1', 'payments-prod', 'resolved'), alert('i2', 'payments-prod', 'resolved')], 2);
    await accept(end, t0 + 1000);
    // Hours later, inside a payments window, the left-out i3 and m4 fire: payments' new episode is held.
    const t = t0 + 3 * 3_600_000;
    const inWindow = { reason: 'Rebuild', start: new Date(t - 3_600_000).toISOString(), end: new Date(t + 3_600_000).toISOString(), matchers: [parseMatchers('alertname="Spread"')] };
    config.teams.get('payments')!.maintenance = [inWindow];
    const fired = await accept(notification([alert('i3', 'payments-prod'), alert('m4', 'monitoring')]), t - 10 * 60_000);
    expect(sent(fired.notifications)).toEqual(['platform:slack:new']);
    // They end: Alertmanager shows i1 and i2 (Prometheus resends their end) and leaves i3 and m4
    // out; taken at t (payments' was last notified RESOLVED: nothing to tell).
    const endedAgain = (a: Alert) => ({ ...a, endsAt: new Date(t - 5000).toISOString() });
    const endAgain = notification([endedAgain(alert('i1', 'payments-prod', 'resolved')), endedAgain(alert('i2', 'payments-prod', 'resolved'))], 2);
    const taken = await accept(endAgain, t);
    expect(sent(taken.notifications)).toEqual(['platform:slack:resolved']);
    const rest = await accept(notification([alert('i3', 'payments-prod'), alert('m4', 'monitoring')]), t + 2000);
    expect(sent(rest.notifications)).toEqual(['platform:slack:new']);

    // The other peer's copy of the end, 15 s after it was taken.
    const late = await accept(endAgain, t + 15_000);
    expect(sent(late.notifications)).toEqual([]);
    for (const team of ['payments', 'platform']) expect((await store.getGroup(teamGroupId(team, GROUP_KEY)))?.status).toBe('firing');
  });

  it('takes the same truncated all-resolved notification, a group_interval after the one that fired its left-out alerts again, for their end', async () => {
    // Prometheus resends i1 and i2 resolved for 15 minutes, and Alertmanager puts them back in the
    // group, first by labels: when i3 and m4 resolve, the last notification is the end again.
    await accept(notification([alert('i1', 'payments-prod'), alert('i2', 'payments-prod')], 2), t0);
    const end = notification([alert('i1', 'payments-prod', 'resolved'), alert('i2', 'payments-prod', 'resolved')], 2);
    await accept(end, t0 + 1000);
    const rest = await accept(notification([alert('i3', 'payments-prod'), alert('m4', 'monitoring')]), t0 + 5 * 60_000);
    expect(sent(rest.notifications)).toEqual(['payments:pagerduty:new', 'payments:slack:new', 'platform:slack:new']);

    // Within the window of the notification before it, it is still a copy.
    const copy = await accept(end, t0 + 5 * 60_000 + TRUNCATED_END_COPY_WINDOW_MS - 1);
    expect(sent(copy.notifications)).toEqual([]);

    const last = await accept(end, t0 + 10 * 60_000);
    expect(sent(last.notifications)).toEqual(['payments:pagerduty:resolved', 'payments:slack:resolved', 'platform:slack:resolved']);
    for (const team of ['payments', 'platform']) expect((await store.getGroup(teamGroupId(team, GROUP_KEY)))?.status).toBe('resolved');
  });
});
