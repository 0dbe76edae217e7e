import { describe, expect, it } from 'vitest';
import type { Alert } from '../model/alert.js';
import type { Target } from '../model/target.js';
import { earlierPosts, MAY_HAVE_POSTED } from '../model/post-notes.js';
import { contentHash } from '../model/content-hash.js';
import { decideGroup, type TeamGroupUpdate } from './decide.js';
import { newDedupTally, STALE_COPY_WINDOW_MS } from './merge-alerts.js';
import { MAX_TOMBSTONES } from './tombstones.js';
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
    // A resolved alert ended 90 minutes after it started (never before: Alertmanager refuses that).
    endsAt: status === 'resolved' ? new Date(Date.parse(startsAt) + 90 * 60_000).toISOString() : null,
    generatorURL: '',
  };
}

/**
 * `truncatedAlerts` as Alertmanager's webhook max_alerts sets it; `status` is the webhook's own
 * (over every alert it shows, other teams' included), by default computed from `alerts`.
 */
function update(alerts: Alert[], targets: Target[] = [slack], shown: { truncatedAlerts?: number; status?: 'firing' | 'resolved' } = {}): TeamGroupUpdate {
  return {
    groupId: 'g1',
    team: 'payments',
    notification: {
      receiver: 'alertgate',
      status: shown.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'),
      groupKey: '{}:{alertname="A"}',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      truncatedAlerts: shown.truncatedAlerts ?? 0,
    },
    alerts,
    targets,
    dedupWindowMs: 4 * HOUR,
  };
}

/** Run a sequence of snapshots through decideGroup, threading the state like the store does. */
function run(steps: { alerts: Alert[]; at: Date; targets?: Target[]; truncatedAlerts?: number; status?: 'firing' | 'resolved' }[]) {
  let prev: GroupRecord | undefined;
  return steps.map((s) => {
    const w = decideGroup(prev, update(s.alerts, s.targets, s), s.at);
    prev = w.group;
    return w.notifications.map((n) => ({ target: n.target, kind: n.kind, status: n.status, reason: n.reason, change: n.snapshot.change, snapshot: n.snapshot }));
  });
}

const statusOf = (alerts: readonly Alert[]) => Object.fromEntries(alerts.map((a) => [a.fingerprint, a.status]));

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

  it('takes a firing copy of a resolved alert (same startsAt) that comes long after its end for the alert firing again: Alertmanager resolved it when its endsAt passed and Prometheus sent it again', () => {
    const resolved = alert('a', 'resolved'); // ended 09:30
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [resolved], at: at(1000) },
      { alerts: [alert('a')], at: new Date(Date.parse(resolved.endsAt!) + STALE_COPY_WINDOW_MS - 1) },
      { alerts: [alert('a')], at: new Date(Date.parse(resolved.endsAt!) + STALE_COPY_WINDOW_MS) },
    ]);
    expect(steps[2]![0]).toMatchObject({ status: 'suppressed' });
    expect(steps[3]![0]).toMatchObject({ kind: 'new', status: 'pending' });
  });

  it('takes an update from alertgate\'s own records as it is: its firing alert revives a resolved copy (same startsAt)', () => {
    // The re-attribution pass moving an alert back to the team it was moved away from (pipeline/reattribute.ts).
    const fired = decideGroup(undefined, update([alert('a')]), t0).group;
    const movedAway = decideGroup(fired, update([alert('a', 'resolved')]), at(1000)).group;
    const back = decideGroup(movedAway, { ...update([alert('a')]), fromStore: true }, at(2000));
    expect(back.notifications.map((n) => [n.kind, n.status])).toEqual([['new', 'pending']]);
    expect(statusOf(back.group.alerts)).toEqual({ a: 'firing' });
  });

  it('treats a re-fire after resolution (new startsAt) as a new episode', () => {
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a', 'resolved')], at: at(1000) },
      { alerts: [alert('a', 'firing', '2026-11-20T10:00:00.000Z')], at: at(2000) },
    ]);
    expect(steps[2]![0]).toMatchObject({ kind: 'new', status: 'pending' });
  });

  it('does not let a late resolved copy of the earlier episode (ended before the re-fire started) resolve the alert that fired again', () => {
    const refiredAt = '2026-11-20T10:00:00.000Z';
    const steps = run([
      { alerts: [alert('a')], at: t0 },
      { alerts: [alert('a', 'resolved')], at: at(1000) },
      { alerts: [alert('a', 'firing', refiredAt)], at: at(2000) },
      { alerts: [alert('a', 'resolved')], at: at(3000) },
      { alerts: [alert('a', 'resolved', refiredAt)], at: at(4000) },
    ]);
    expect(steps[3]![0]).toMatchObject({ kind: 'repeat', status: 'suppressed' });
    expect(steps[4]![0]).toMatchObject({ kind: 'resolved', status: 'pending' });
  });

  it('shows a firing alert a whole notification leaves out (silenced in Alertmanager) resolved in the snapshot, so its message can name it, and keeps it no more', () => {
    const fired = decideGroup(undefined, update([alert('a'), alert('b')]), t0).group;
    const w = decideGroup(fired, update([alert('a')]), at(1000));
    expect(w.notifications[0]!.snapshot.change).toEqual({ kind: 'changed', added: [], resolved: ['b'] });
    expect(statusOf(w.notifications[0]!.snapshot.alerts)).toEqual({ a: 'firing', b: 'resolved' });
    expect(w.notifications[0]!.snapshot.alerts.find((x) => x.fingerprint === 'b')!.endsAt).toBe(at(1000).toISOString());
    expect(statusOf(w.group.alerts)).toEqual({ a: 'firing' });
    // The silence ends: Alertmanager shows b again, same startsAt. It fires again, not a stale copy.
    const back = decideGroup(w.group, update([alert('a'), alert('b')]), at(2000));
    expect(back.notifications[0]!.snapshot.change).toEqual({ kind: 'changed', added: ['b'], resolved: [] });
  });

  it("does not end the alerts a lagging HA peer's older snapshot leaves out (it holds a stale copy): the group neither resolves nor changes", () => {
    const ended = { ...alert('a', 'resolved'), endsAt: t0.toISOString() };
    const steps = run([
      { alerts: [alert('a')], at: at(-60_000), targets: [slack, pd] },
      // One change: a resolved, c started.
      { alerts: [ended, alert('c', 'firing', t0.toISOString())], at: t0, targets: [slack, pd] },
      // The other peer's snapshot from before it: a firing, no c.
      { alerts: [alert('a')], at: at(15_000), targets: [slack, pd] },
    ]);
    expect(steps[2]).toMatchObject([
      { kind: 'repeat', status: 'suppressed' },
      { kind: 'repeat', status: 'suppressed' },
    ]);
    expect(statusOf(steps[2]![0]!.snapshot.alerts)).toEqual({ a: 'resolved', c: 'firing' });
  });

  it('delivers a group first seen already resolved (nothing accepted is dropped)', () => {
    const [first] = run([{ alerts: [alert('a', 'resolved')], at: t0 }]);
    expect(first![0]).toMatchObject({ kind: 'resolved', status: 'pending' });
  });
});

// Alertmanager's webhook max_alerts: it sends the first N alerts of the group (sorted by labels,
// not by status) and counts the rest in truncatedAlerts; its `status` is over the shown ones.
describe('decideGroup with a truncated notification (webhook max_alerts)', () => {
  it('keeps a firing alert Alertmanager left out instead of reporting it resolved', () => {
    // a and b fire; then c sorts before b and pushes it out of the first two.
    const steps = run([
      { alerts: [alert('a'), alert('b')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a'), alert('c')], at: at(1000), targets: [slack, pd], truncatedAlerts: 1 },
    ]);
    expect(steps[1]).toMatchObject([
      { target: slack, kind: 'changed', status: 'pending', change: { added: ['c'], resolved: [] } },
      { target: pd, kind: 'changed', status: 'pending' },
    ]);
    const { snapshot } = steps[1]![0]!;
    expect(snapshot.status).toBe('firing');
    expect(statusOf(snapshot.alerts)).toEqual({ a: 'firing', b: 'firing', c: 'firing' });
    expect(snapshot.truncatedAlerts).toBe(1);
  });

  it('a redelivery of the same truncated notification is a duplicate (the kept alert counts as firing)', () => {
    const steps = run([
      { alerts: [alert('a'), alert('b')], at: t0 },
      { alerts: [alert('a'), alert('c')], at: at(1000), truncatedAlerts: 1 },
      { alerts: [alert('a'), alert('c')], at: at(2000), truncatedAlerts: 1 },
    ]);
    expect(steps[2]![0]).toMatchObject({ kind: 'repeat', status: 'suppressed' });
  });

  it('does not resolve a team group (nor its PagerDuty incident) whose shown alerts all resolved while the webhook still fires', () => {
    // The group spans two teams; the other team's shown alerts fire, so Alertmanager says firing.
    const steps = run([
      { alerts: [alert('a'), alert('b')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a', 'resolved')], at: at(1000), targets: [slack, pd], truncatedAlerts: 1, status: 'firing' },
    ]);
    expect(steps[1]).toMatchObject([
      { target: slack, kind: 'changed', change: { added: [], resolved: ['a'] } },
      { target: pd, kind: 'changed' },
    ]);
    expect(statusOf(steps[1]![0]!.snapshot.alerts)).toEqual({ a: 'resolved', b: 'firing' });
  });

  it('follows Alertmanager when every shown alert is resolved: the alerts it left out resolve too', () => {
    const steps = run([
      { alerts: [alert('a'), alert('b'), alert('c')], at: t0, targets: [slack, pd] },
      { alerts: [alert('a', 'resolved'), alert('c', 'resolved')], at: at(1000), targets: [slack, pd], truncatedAlerts: 1, status: 'resolved' },
    ]);
    expect(steps[1]).toMatchObject([
      { target: slack, kind: 'resolved', status: 'pending', change: { added: [], resolved: ['a', 'b', 'c'] } },
      { target: pd, kind: 'resolved', status: 'pending' },
    ]);
    const { snapshot } = steps[1]![0]!;
    expect(snapshot.status).toBe('resolved');
    // The message still names b, shown resolved when the notification came.
    expect(statusOf(snapshot.alerts)).toEqual({ a: 'resolved', b: 'resolved', c: 'resolved' });
    expect(snapshot.alerts.find((a) => a.fingerprint === 'b')?.endsAt).toBe(at(1000).toISOString());
  });

  it('an alert resolved only by that rule fires again with Alertmanager\'s next notification of it (same startsAt)', () => {
    // Alertmanager's status is over the shown alerts only: it says resolved while b, left out, still fires.
    const steps = run([
      { alerts: [alert('a'), alert('b')], at: t0 },
      { alerts: [alert('a', 'resolved')], at: at(1000), truncatedAlerts: 1, status: 'resolved' },
      { alerts: [alert('b')], at: at(2000) },
    ]);
    expect(steps[1]![0]).toMatchObject({ kind: 'resolved', status: 'pending' });
    expect(steps[2]![0]).toMatchObject({ kind: 'new', status: 'pending', change: { added: ['b'] } });
  });

  it('replaces the list as before once a notification is whole again (truncatedAlerts 0)', () => {
    const steps = run([
      { alerts: [alert('a'), alert('b')], at: t0 },
      { alerts: [alert('a'), alert('c')], at: at(1000), truncatedAlerts: 1 },
      { alerts: [alert('a'), alert('c')], at: at(2000) },
    ]);
    expect(steps[2]![0]).toMatchObject({ kind: 'changed', change: { added: [], resolved: ['b'] } });
    expect(steps[2]![0]!.snapshot).not.toHaveProperty('truncatedAlerts');
  });
});

// Alertmanager shows a resolved alert once, then leaves it out: the group drops it. A lagging HA
// peer's firing copy of it must not bring it back then either (the group's tombstones).
describe('decideGroup with an alert resolved and dropped from the group', () => {
  const later = '2026-11-20T10:00:00.000Z';
  /** a and b fire; a resolves (ended 09:30); Alertmanager's next notification shows b alone. */
  function droppedA(): GroupRecord {
    const fired = decideGroup(undefined, update([alert('a'), alert('b')]), t0).group;
    const resolved = decideGroup(fired, update([alert('a', 'resolved'), alert('b')]), at(1000)).group;
    const dropped = decideGroup(resolved, update([alert('b')]), at(2000)).group;
    expect(statusOf(dropped.alerts)).toEqual({ b: 'firing' });
    return dropped;
  }
  const endOfA = Date.parse(alert('a', 'resolved').endsAt!);

  it("ignores a lagging peer's firing copy of it (same startsAt, or earlier) within the stale-copy window, and counts it", () => {
    for (const startsAt of ['2026-11-20T08:00:00.000Z', '2026-11-20T07:00:00.000Z']) {
      const tally = newDedupTally();
      const w = decideGroup(droppedA(), update([alert('a', 'firing', startsAt), alert('b')]), new Date(endOfA + STALE_COPY_WINDOW_MS - 1), tally);
      expect(w.notifications.map((n) => [n.kind, n.status])).toEqual([['repeat', 'suppressed']]);
      expect(statusOf(w.notifications[0]!.snapshot.alerts)).toEqual({ b: 'firing' });
      expect(statusOf(w.group.alerts)).toEqual({ b: 'firing' });
      expect(tally).toEqual({ ...newDedupTally(), staleFiringDropped: 1 });
    }
  });

  it('still fires it again with a newer startsAt (a real re-fire), or with the same one once the window has passed', () => {
    const refired = decideGroup(droppedA(), update([alert('a', 'firing', later), alert('b')]), at(3000));
    expect(refired.notifications.map((n) => [n.kind, n.status, n.snapshot.change.added])).toEqual([['changed', 'pending', ['a']]]);
    const back = decideGroup(droppedA(), update([alert('a'), alert('b')]), new Date(endOfA + STALE_COPY_WINDOW_MS));
    expect(back.notifications.map((n) => [n.kind, n.status, n.snapshot.change.added])).toEqual([['changed', 'pending', ['a']]]);
    expect(back.group).not.toHaveProperty('tombstones');
  });

  it('does not tombstone a firing alert the notification left out (silenced): it fires again when shown', () => {
    const fired = decideGroup(undefined, update([alert('a'), alert('b')]), t0).group;
    const silenced = decideGroup(fired, update([alert('b')]), at(1000)).group;
    expect(silenced).not.toHaveProperty('tombstones');
    const back = decideGroup(silenced, update([alert('a'), alert('b')]), at(2000));
    expect(back.notifications[0]!.snapshot.change).toEqual({ kind: 'changed', added: ['a'], resolved: [] });
  });

  it(`keeps at most ${MAX_TOMBSTONES} tombstones, the latest ended, and none past the window`, () => {
    const many = Array.from({ length: MAX_TOMBSTONES + 5 }, (_, i) => alert(`r${String(i).padStart(3, '0')}`, 'resolved', new Date(t0.getTime() - HOUR + i * 1000).toISOString()));
    const held = decideGroup(undefined, update([...many, alert('b')]), t0).group;
    const dropped = decideGroup(held, update([alert('b')]), at(1000)).group;
    expect(dropped.tombstones!.map((a) => a.fingerprint).sort()).toEqual(many.slice(5).map((a) => a.fingerprint));
    const lastEnd = Date.parse(many.at(-1)!.endsAt!);
    const aged = decideGroup(dropped, update([alert('b')]), new Date(lastEnd + STALE_COPY_WINDOW_MS));
    expect(aged.group).not.toHaveProperty('tombstones');
  });

  it('notifies a duplicate to the targets owed it (their last notification went dead), suppressing it for the others, and leaves the notified state as it was', () => {
    const first = decideGroup(undefined, update([alert('a')], [slack, pd]), t0);
    const prev = { ...first.group, owedTargets: ['slack:#payments-alerts'] };
    const tally = newDedupTally();
    const resend = decideGroup(prev, update([alert('a')], [slack, pd]), at(HOUR), tally);
    expect(resend.notifications.map((n) => [n.target.type, n.kind, n.status, n.reason])).toEqual([
      ['slack', 'repeat', 'pending', undefined],
      ['pagerduty', 'repeat', 'suppressed', 'duplicate within dedup window 4h'],
    ]);
    expect(resend.notifications[0]).not.toHaveProperty('reason');
    expect(resend.group).toMatchObject({ notifiedHash: first.group.notifiedHash, notifiedAt: first.group.notifiedAt });
    expect(tally.renotifiedAfterDead).toEqual({ payments: 1 });
  });

  it('notifies an owed target an already notified resolution again too, and ignores owed targets when the group changed (every target is notified anyway)', () => {
    const firing = decideGroup(undefined, update([alert('a')], [slack, pd]), t0);
    const resolved = decideGroup(firing.group, update([alert('a', 'resolved')], [slack, pd]), at(HOUR));
    const again = decideGroup({ ...resolved.group, owedTargets: ['pagerduty:payments'] }, update([alert('a', 'resolved')], [slack, pd]), at(2 * HOUR));
    expect(again.notifications.map((n) => [n.target.type, n.kind, n.status])).toEqual([
      ['slack', 'resolved', 'suppressed'],
      ['pagerduty', 'resolved', 'pending'],
    ]);
    const tally = newDedupTally();
    const changed = decideGroup({ ...firing.group, owedTargets: ['pagerduty:payments'] }, update([alert('a'), alert('b')], [slack, pd]), at(HOUR), tally);
    expect(changed.notifications.map((n) => n.status)).toEqual(['pending', 'pending']);
    expect(tally.renotifiedAfterDead).toEqual({});
  });
  it("names, in the re-send's starting last error, an owed Slack target's dead notification whose post may have been made; not otherwise", () => {
    const first = decideGroup(undefined, update([alert('a')], [slack, pd]), t0);
    const timedOut = `slack chat.postMessage: timed out — ${MAY_HAVE_POSTED}`;
    // The dead notifications showed the group's content (as the stores hash their snapshots).
    const owed = (lastError: string, contentHash = first.group.notifiedHash!) => ({
      ...first.group,
      owedTargets: ['slack:#payments-alerts', 'pagerduty:payments'],
      owedDead: {
        'slack:#payments-alerts': { id: 12, createdAt: '2026-11-20T09:00:00.000Z', lastError, contentHash },
        'pagerduty:payments': { id: 13, createdAt: '2026-11-20T09:00:00.000Z', lastError, contentHash },
      },
    });
    // Inside the dedup window (paid to the owed targets) and after it (a repeat to every target).
    for (const when of [at(HOUR), at(5 * HOUR)]) {
      const [toSlack, toPd] = decideGroup(owed(timedOut), update([alert('a')], [slack, pd]), when).notifications;
      expect(toSlack).toMatchObject({ kind: 'repeat', status: 'pending' });
      expect(toSlack!.lastError).toContain(MAY_HAVE_POSTED);
      expect(earlierPosts(toSlack!.lastError)).toEqual([{ notification_id: '12', enqueued_at: '2026-11-20T09:00:00.000Z' }]);
      expect(toPd).not.toHaveProperty('lastError');
    }
    // A chain of dead re-sends: the names the dead one's error carried, then its own.
    const chained = `${timedOut} [earlier notifications whose post is looked for too: 7 queued 2026-11-20T08:00:00.000Z]`;
    const [again] = decideGroup(owed(chained), update([alert('a')], [slack, pd]), at(HOUR)).notifications;
    expect(earlierPosts(again!.lastError).map((p) => p.notification_id)).toEqual(['7', '12']);
    // A dead post that cannot have been made (refused), or a change the dead post does not show: nothing to look for.
    expect(decideGroup(owed('slack: HTTP 503'), update([alert('a')], [slack, pd]), at(HOUR)).notifications[0]).not.toHaveProperty('lastError');
    const changed = decideGroup(owed(timedOut), update([alert('a'), alert('b')], [slack, pd]), at(HOUR)).notifications;
    expect(changed.map((n) => [n.kind, n.status])).toEqual([['changed', 'pending'], ['changed', 'pending']]);
    for (const n of changed) expect(n).not.toHaveProperty('lastError');
    // A dead post that showed other content than the re-send (the episode before's resolution,
    // before a new episode a storm digest told of): not adopted, the re-send posts its own.
    const [afterNewEpisode] = decideGroup(owed(timedOut, contentHash([])), update([alert('a')], [slack, pd]), at(HOUR)).notifications;
    expect(afterNewEpisode).toMatchObject({ kind: 'repeat', status: 'pending' });
    expect(afterNewEpisode).not.toHaveProperty('lastError');
  });
});
