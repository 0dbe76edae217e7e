import { describe, expect, it } from 'vitest';
import type { Alert } from '../model/alert.js';
import type { Target } from '../model/target.js';
import { decideGroup, type TeamGroupUpdate } from './decide.js';
import type { GroupRecord } from '../store/store.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-11-20T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const pd: Target = { type: 'pagerduty', team: 'payments' };

function alert(fp: string, status: 'firing' | 'resolved' = 'firing', startsAt = '2026-11-20T08:00:00.000Z'): Alert {
  return {
    fingerprint: fp,
    status,
    labels: { alertname: `A${fp}` },
    annotations: {},
    startsAt,
    endsAt: status === 'resolved' ? '2026-11-20T09:30:00.000Z' : null,
    generatorURL: '',
  };
}

function update(alerts: Alert[], targets: Target[] = [slack]): TeamGroupUpdate {
  return {
    groupId: 'g1',
    team: 'payments',
    notification: {
      receiver: 'alertgate',
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      groupKey: '{}:{alertname="A"}',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      truncatedAlerts: 0,
    },
    alerts,
    targets,
    dedupWindowMs: 4 * HOUR,
  };
}

/** Run a sequence of snapshots through decideGroup, threading the state like the store does. */
function run(steps: { alerts: Alert[]; at: Date; targets?: Target[] }[]) {
  let prev: GroupRecord | undefined;
  return steps.map((s) => {
    const w = decideGroup(prev, update(s.alerts, s.targets), s.at);
    prev = w.group;
    return w.notifications.map((n) => ({ target: n.target, kind: n.kind, status: n.status, reason: n.reason, change: n.snapshot.change }));
  });
}

describe('decideGroup', () => {
  it('notifies a new group once per target and suppresses identical redelivery inside the window', () => {
    const [first, second] = run([
      { alerts: [alert('a')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a')], at: at(60_000), targets: [slack, pd] },
    ]);
    expect(first).toMatchObject([
      { target: slack, kind: 'new', status: 'pending' },
      { target: pd, kind: 'new', status: 'pending' },
    ]);
    expect(second).toMatchObject([
      { kind: 'repeat', status: 'suppressed', reason: 'duplicate within dedup window 4h' },
      { kind: 'repeat', status: 'suppressed' },
    ]);
  });

  it('sends a repeat once the dedup window has passed', () => {
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a')], at: at(4 * HOUR - 1) },
      { alerts: [alert('a')], at: at(4 * HOUR + 1) },
    ]);
    expect(steps.map((s) => `${s[0]!.kind}/${s[0]!.status}`)).toEqual(['new/pending', 'repeat/suppressed', 'repeat/pending']);
  });

  it('reports added and resolved alerts as a change', () => {
    const [, added, partlyResolved] = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a'), alert('b')], at: at(1000) },
      { alerts: [alert('a', 'resolved'), alert('b')], at: at(2000) },
    ]);
    expect(added![0]).toMatchObject({ kind: 'changed', status: 'pending', change: { added: ['b'], resolved: [] } });
    expect(partlyResolved![0]).toMatchObject({ kind: 'changed', status: 'pending', change: { added: [], resolved: ['a'] } });
  });

  it('resolves once, to every target the group was ever sent to, and ignores resolved repeats', () => {
    const steps = run([
      { alerts: [alert('a')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a', 'resolved')], at: at(1000), targets: [slack] },
      { alerts: [alert('a', 'resolved')], at: at(5 * HOUR) },
    ]);
    expect(steps[1]).toMatchObject([
      { target: slack, kind: 'resolved', status: 'pending' },
      { target: pd, kind: 'resolved', status: 'pending' },
    ]);
    expect(steps[2]!.every((n) => n.status === 'suppressed')).toBe(true);
  });

  it('sends a new episode only to the targets the routes give now, then keeps them for its resolution', () => {
    const day2 = '2026-11-21T08:00:00.000Z';
    const steps = run([
      { alerts: [alert('a')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a', 'resolved')], at: at(1000), targets: [slack, pd] },
      // The team's route no longer pages (config reload); the alert fires again the next day.
      { alerts: [alert('a', 'firing', day2)], at: at(24 * HOUR), targets: [slack] },
      { alerts: [alert('a', 'firing', day2), alert('b', 'firing', day2)], at: at(25 * HOUR), targets: [slack] },
      // PagerDuty is routed again mid-episode: the change goes to both, and so does the resolution.
      { alerts: [alert('a', 'firing', day2), alert('b', 'firing', day2), alert('c', 'firing', day2)], at: at(26 * HOUR), targets: [slack, pd] },
      { alerts: [alert('a', 'resolved', day2), alert('b', 'resolved', day2), alert('c', 'resolved', day2)], at: at(27 * HOUR), targets: [slack] },
    ]);
    const sent = steps.map((ns) => ns.map((n) => `${n.kind}->${n.target.type}`));
    expect(sent.slice(2)).toEqual([
      ['new->slack'],
      ['changed->slack'],
      ['changed->slack', 'changed->pagerduty'],
      ['resolved->slack', 'resolved->pagerduty'],
    ]);
  });

  it('does not let a stale firing copy from an HA peer revive a resolved alert', () => {
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a', 'resolved')], at: at(1000) },
      { alerts: [alert('a')], at: at(2000) },
    ]);
    expect(steps[2]![0]).toMatchObject({ status: 'suppressed' });
  });

  it('treats a re-fire after resolution (new startsAt) as a new episode', () => {
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a', 'resolved')], at: at(1000) },
      { alerts: [alert('a', 'firing', '2026-11-20T10:00:00.000Z')], at: at(2000) },
    ]);
    expect(steps[2]![0]).toMatchObject({ kind: 'new', status: 'pending' });
  });

  it('delivers a group first seen already resolved (nothing accepted is dropped)', () => {
    const [first] = run([{ alerts: [alert('a', 'resolved')], at: t0 }]);
    expect(first![0]).toMatchObject({ kind: 'resolved', status: 'pending' });
  });
});
