/**
 * @module store/contract/fixtures
 * Builders for the store contract suite: realistic groups, alerts and notifications, written
 * through the public `Store` interface only.
 */
import type { Alert, AlertStatus, Labels } from '../../model/alert.js';
import type { ChangeKind, GroupSnapshot } from '../../model/group.js';
import type { Target } from '../../model/target.js';
import type { GroupRecord, NewNotification, NotificationRecord, Store } from '../store.js';

type SlackTarget = Extract<Target, { type: 'slack' }>;
export const SLACK: SlackTarget = { type: 'slack', channel: '#payments-alerts' };
export const SLACK_LOW: SlackTarget = { type: 'slack', channel: '#payments-low' };
/** With where its key was read, as the routes give it: the store keeps it with the episode. */
export const PAGERDUTY: Target = { type: 'pagerduty', team: 'payments', keySource: { routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' } };

/** A time safely after every notification the store stamps with its own clock during a test. */
export function later(offsetMs = 0): Date {
  return new Date(Date.now() + 60_000 + offsetMs);
}

export function alert(fingerprint: string, status: AlertStatus = 'firing', labels: Labels = {}): Alert {
  return {
    fingerprint,
    status,
    labels: { alertname: `Alert${fingerprint}`, severity: 'critical', namespace: 'payments-prod', ...labels },
    annotations: { summary: `summary of ${fingerprint}`, runbook_url: 'https://runbooks.example/x' },
    startsAt: '2026-10-01T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-10-01T11:00:00Z' : null,
    generatorURL: `http://prometheus.example/graph?g0.expr=${fingerprint}`,
  };
}

export function group(id: string, overrides: Partial<GroupRecord> = {}): GroupRecord {
  const team = overrides.team ?? 'payments';
  return {
    id,
    team,
    groupKey: `{}/{team="${team}"}:{alertname="${id}"}`,
    receiver: 'alertgate',
    externalURL: 'http://alertmanager.example',
    groupLabels: { alertname: id },
    commonLabels: { alertname: id, team },
    commonAnnotations: {},
    status: 'firing',
    alerts: [alert(`${id}-1`)],
    notifiedHash: null,
    notifiedAt: null,
    targets: [],
    createdAt: '2026-10-01T10:00:00.000Z',
    updatedAt: '2026-10-01T10:00:00.000Z',
    ...overrides,
  };
}

export function snapshot(g: GroupRecord, kind: ChangeKind = 'new'): GroupSnapshot {
  return {
    groupId: g.id,
    team: g.team,
    groupKey: g.groupKey,
    receiver: g.receiver,
    status: g.status,
    groupLabels: g.groupLabels,
    commonLabels: g.commonLabels,
    commonAnnotations: g.commonAnnotations,
    externalURL: g.externalURL,
    alerts: g.alerts,
    change: { kind, added: g.alerts.map((a) => a.fingerprint), resolved: [] },
    dedupKey: `alertgate-${g.id}`,
  };
}

export function notification(g: GroupRecord, target: Target, extra: Partial<NewNotification> = {}): NewNotification {
  return { groupId: g.id, team: g.team, target, kind: 'new', status: 'pending', snapshot: snapshot(g), ...extra };
}

/** Write a group with these notifications (default: one pending Slack post). */
export async function enqueue(store: Store, g: GroupRecord, notes?: NewNotification[]): Promise<NotificationRecord[]> {
  return store.updateGroups([g.id], () => [{ group: g, notifications: notes ?? [notification(g, SLACK)] }]);
}

/** The only element of a list, failing loudly otherwise. */
export function only<T>(items: T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one item, got ${items.length}`);
  return items[0] as T;
}
