/**
 * Alerts moving into a team's group that already holds the team's other alerts of the same
 * Alertmanager group (a group_by without namespace, so one group spans teams), against both
 * stores: the newcomers join those alerts, which keep firing; the team's message changes by the
 * newcomers only, and Alertmanager's next notification of the group is a duplicate.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { paymentsTeam } from '../config/team-config.case.js';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import type { IncomingNotification } from '../model/alert.js';
import type { NotificationRecord, Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { acceptNotification } from './accept.js';
import { reattributeFiring } from './reattribute.js';

const at = (time: string) => new Date(`2026-11-27T${time}Z`);

function routing(...teams: TeamConfig[]): RoutingConfig {
  return { teams: new Map(teams.map((t) => [t.team, t])), fallbackTeam: 'platform' };
}
const platform = paymentsTeam({ team: 'platform', file: 'routes/platform.yaml', slack: { channel: '#platform-alerts' } });
const payments = (...namespaces: string[]) => paymentsTeam({ owns: { namespaces, matchers: [] } });
/** payments-new has no owner yet: its alerts go to the fallback team, platform. */
const before = routing(payments('payments-prod'), platform);
/** payments onboards payments-new. */
const after = routing(payments('payments-prod', 'payments-new'), platform);

/** Alertmanager's group KubePodCrashLooping, grouped by alertname only: pod `a` in payments-prod, pod `b` in payments-new. */
const crashLooping: IncomingNotification = {
  receiver: 'alertgate',
  status: 'firing',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  groupLabels: { alertname: 'KubePodCrashLooping' },
  commonLabels: { alertname: 'KubePodCrashLooping' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  truncatedAlerts: 0,
  alerts: [
    ['a', 'payments-prod'],
    ['b', 'payments-new'],
  ].map(([pod, namespace]) => ({
    fingerprint: `f${pod}`,
    status: 'firing' as const,
    labels: { alertname: 'KubePodCrashLooping', namespace: namespace!, pod: pod! },
    annotations: {},
    startsAt: '2026-11-27T09:59:00Z',
    endsAt: null,
    generatorURL: '',
  })),
};

/** What a Slack notification says: its kind, whether it is sent, the pods it shows firing, and what it says changed. */
function slackSays(ns: readonly NotificationRecord[], channel: string) {
  return ns
    .filter((n) => n.target.type === 'slack' && n.target.channel === channel)
    .map((n) => ({
      kind: n.kind,
      status: n.status,
      firing: n.snapshot.alerts.filter((a) => a.status === 'firing').map((a) => a.labels.pod),
      change: n.snapshot.change,
    }));
}
/** The notifications decided since the one with id `after` (newest first). */
const notificationsSince = async (store: Store, after: number) => (await store.listNotifications({ limit: 100 })).items.filter((n) => n.id > after);
const lastNotificationId = async (store: Store) => (await store.listNotifications({ limit: 1 })).items[0]?.id ?? 0;
const firingPods = async (store: Store, team: string) =>
  (await store.listAlerts({ team, status: 'firing', limit: 100 })).items.map((a) => a.labels.pod).sort();

function joinCases(newStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await newStore();
    await acceptNotification(store, before, crashLooping, { now: () => at('10:00:00') });
    expect(await firingPods(store, 'payments')).toEqual(['a']);
    expect(await firingPods(store, 'platform')).toEqual(['b']);
  });
  afterEach(() => store.close());

  it('keeps the team’s own alerts of the group firing when another team’s alerts move in', async () => {
    const accepted = await lastNotificationId(store);
    const moved = await reattributeFiring(store, after, { now: () => at('10:05:00') });
    expect(moved.moves).toEqual({ 'platform → payments': 1 });
    const sent = await notificationsSince(store, accepted);
    // payments' message is edited to show both pods firing; pod a is not said to have resolved.
    expect(slackSays(sent, '#payments-alerts')).toEqual([{ kind: 'changed', status: 'pending', firing: ['a', 'b'], change: { kind: 'changed', added: ['fb'], resolved: [] } }]);
    expect(slackSays(sent, '#platform-alerts')).toEqual([{ kind: 'resolved', status: 'pending', firing: [], change: { kind: 'resolved', added: [], resolved: ['fb'] } }]);
    expect(await firingPods(store, 'payments')).toEqual(['a', 'b']);
    expect(await firingPods(store, 'platform')).toEqual([]);

    // Alertmanager's next notification of the group tells payments nothing new.
    const { notifications } = await acceptNotification(store, after, crashLooping, { now: () => at('10:10:00') });
    expect(notifications.map((n) => [n.team, n.kind, n.status])).toEqual([['payments', 'repeat', 'suppressed']]);
  });
}

await onBothStores('alerts moving into a group their new team already has', joinCases);
