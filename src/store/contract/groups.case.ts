/**
 * @module store/contract/groups
 * Contract: `updateGroups` is an atomic read-decide-write, the dedup race guard of the pipeline.
 */
import { describe, expect, it } from 'vitest';
import type { GroupRecord, GroupWrite } from '../store.js';
import type { CurrentStore } from '../store.case.js';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification, snapshot } from './fixtures.case.js';

export function groupContract(store: CurrentStore): void {
  describe('groups', () => {
    it('knows no group before one is written, and decide sees an empty map', async () => {
      expect(await store().getGroup('g1')).toBeUndefined();
      const seen: Map<string, GroupRecord>[] = [];
      const inserted = await store().updateGroups(['g1', 'g2'], (current) => {
        seen.push(current);
        return [];
      });
      expect(inserted).toEqual([]);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.size).toBe(0);
      expect(await store().getGroup('g1')).toBeUndefined();
    });

    it('round-trips a group with its alerts, targets and notified hash', async () => {
      const g = group('g1', {
        alerts: [alert('a'), alert('b', 'firing', { pod: 'checkout-7f9' })],
        targets: [SLACK, PAGERDUTY],
        notifiedHash: 'hash-1',
        notifiedAt: '2026-10-01T10:00:05.000Z',
        commonAnnotations: { summary: 'checkout <down> & out' },
      });
      await enqueue(store(), g, []);
      expect(await store().getGroup('g1')).toEqual(g);
    });

    it("keeps a group's tombstones (resolved alerts it dropped) apart from its alerts and out of the alert lists, and forgets those a later write leaves out", async () => {
      const g = group('g1', { alerts: [alert('a')], tombstones: [alert('b', 'resolved')] });
      await enqueue(store(), g, []);
      expect(await store().getGroup('g1')).toEqual(g);
      let underLock: GroupRecord | undefined;
      await store().updateGroups(['g1'], (current) => ((underLock = current.get('g1')), []));
      expect(underLock).toEqual(g);
      expect((await store().listAlerts({ limit: 10 })).items.map((x) => x.fingerprint)).toEqual(['a']);
      expect((await store().listAlerts({ limit: 10, status: 'resolved' })).items).toEqual([]);

      // b fires again (its alert replaces its tombstone), and a is dropped in turn.
      const refired = group('g1', { alerts: [alert('b')], tombstones: [alert('a', 'resolved')] });
      await enqueue(store(), refired, []);
      expect(await store().getGroup('g1')).toEqual(refired);
      const forgotten = group('g1', { alerts: [alert('b')] });
      await enqueue(store(), forgotten, []);
      expect(await store().getGroup('g1')).toEqual(forgotten);
      // A tombstone given for an alert the group holds is not stored over it.
      await enqueue(store(), group('g1', { alerts: [alert('b')], tombstones: [alert('b', 'resolved')] }), []);
      expect(await store().getGroup('g1')).toEqual(forgotten);
    });

    it("keeps a PagerDuty target's key source (the episode's, model/target.ts) on the group and on its notifications, claimed or listed", async () => {
      const g = group('g1', { targets: [PAGERDUTY] });
      const [written] = await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'resolved' })]);
      expect((await store().getGroup('g1'))?.targets).toEqual([PAGERDUTY]);
      expect((await store().getNotification(written!.id))?.target).toEqual(PAGERDUTY);
      const [claimed] = await store().claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 30_000 });
      expect(claimed?.target).toEqual(PAGERDUTY);
    });

    it('round-trips the storm digests that gathered a group, and their later changes', async () => {
      const storm = Date.parse('2026-10-01T10:00:00.000Z');
      const g = group('g1', { stormDigests: { '#payments-alerts': { storm, status: 'firing' } } });
      await enqueue(store(), g, []);
      expect(await store().getGroup('g1')).toEqual(g);
      const changed = group('g1', { status: 'resolved', stormDigests: { '#payments-alerts': { storm, status: 'resolved' }, '#payments-critical': { storm: storm + 1, status: 'firing' } } });
      await enqueue(store(), changed, []);
      expect((await store().getGroup('g1'))?.stormDigests).toEqual(changed.stormDigests);
      await enqueue(store(), group('g2'), []);
      expect((await store().getGroup('g2'))?.stormDigests).toBeUndefined();
    });

    it('finds the held groups of a team whose hold has ended, or all of them, and forgets a released one', async () => {
      const at = (time: string) => Date.parse(`2026-10-01T${time}Z`);
      await enqueue(store(), group('soon', { heldUntil: at('11:00:00') }), []);
      await enqueue(store(), group('late', { heldUntil: at('12:00:00') }), []);
      await enqueue(store(), group('free'), []);
      await enqueue(store(), group('other', { team: 'prisons', heldUntil: at('09:00:00') }), []);
      expect((await store().getGroup('soon'))?.heldUntil).toBe(at('11:00:00'));
      expect((await store().getGroup('free'))?.heldUntil).toBeUndefined();

      expect(await store().heldGroupIds('payments', new Date(at('10:59:59')))).toEqual([]);
      expect(await store().heldGroupIds('payments', new Date(at('11:00:00')))).toEqual(['soon']);
      expect(await store().heldGroupIds('payments')).toEqual(['soon', 'late']);
      expect(await store().heldGroupIds('prisons', new Date(at('12:00:00')))).toEqual(['other']);
      expect(await store().heldGroupCounts()).toEqual({ payments: 2, prisons: 1 });

      await enqueue(store(), group('soon'), []);
      expect(await store().heldGroupIds('payments')).toEqual(['late']);
      expect((await store().getGroup('soon'))?.heldUntil).toBeUndefined();
      expect(await store().heldGroupCounts()).toEqual({ payments: 1, prisons: 1 });
    });

    it('finds the storm states whose storm goes on (firing, keyed storm:), and forgets one whose storm ended', async () => {
      const storm = (id: string, channel: string, status: 'firing' | 'resolved', team = 'payments') =>
        group(id, { team, groupKey: `storm:${channel}`, status, alerts: [], commonAnnotations: { 'alertgate.storm': '{}' } });
      await enqueue(store(), storm('s-on', '#payments-alerts', 'firing'), []);
      await enqueue(store(), storm('s-other', '#prisons-alerts', 'firing', 'prisons'), []);
      await enqueue(store(), storm('s-off', '#payments-low', 'resolved'), []);
      await enqueue(store(), group('firing-group'), []);
      await enqueue(store(), group('maintenance', { groupKey: 'maintenance', alerts: [] }), []);
      // An alert group whose key only looks like one in another case (a webhook may send it).
      await enqueue(store(), group('upper-case', { groupKey: 'STORM:#payments-alerts' }), []);
      expect(await store().activeStormIds()).toEqual(['s-on', 's-other']);
      await enqueue(store(), storm('s-on', '#payments-alerts', 'resolved'), []);
      expect(await store().activeStormIds()).toEqual(['s-other']);
    });


    it("finds the team's groups a channel's storm gathered, firing or resolved, and none of another storm, channel or team", async () => {
      const storm = Date.parse('2026-10-01T10:00:00.000Z');
      const gathered = (id: string, digests: GroupRecord['stormDigests'], overrides: Partial<GroupRecord> = {}) => group(id, { stormDigests: digests, ...overrides });
      await enqueue(store(), gathered('firing', { '#payments-alerts': { storm, status: 'firing' } }), []);
      await enqueue(store(), gathered('resolved', { '#payments-alerts': { storm, status: 'resolved' } }, { status: 'resolved' }), []);
      await enqueue(store(), gathered('two-channels', { '#payments-low': { storm: storm + 5, status: 'firing' }, '#payments-alerts': { storm, status: 'firing' } }), []);
      await enqueue(store(), gathered('earlier-storm', { '#payments-alerts': { storm: storm - 60_000, status: 'firing' } }), []);
      await enqueue(store(), gathered('other-channel', { '#payments-low': { storm, status: 'firing' } }), []);
      await enqueue(store(), gathered('other-team', { '#payments-alerts': { storm, status: 'firing' } }, { team: 'prisons' }), []);
      await enqueue(store(), group('never-gathered'), []);
      const ids = (channel: string, at: number, after?: string, limit = 10) => store().stormGroupIds('payments', channel, at, after, limit);
      expect(await ids('#payments-alerts', storm)).toEqual(['firing', 'resolved', 'two-channels']);
      expect(await ids('#payments-low', storm)).toEqual(['other-channel']);
      expect(await ids('#payments-alerts', storm + 1)).toEqual([]);
      // A batch at a time: after an id, up to a limit, in byte order (the ticker's cursor compares them so).
      expect(await ids('#payments-alerts', storm, undefined, 2)).toEqual(['firing', 'resolved']);
      expect(await ids('#payments-alerts', storm, 'resolved', 2)).toEqual(['two-channels']);
      expect(await ids('#payments-alerts', storm, 'firing')).toEqual(['resolved', 'two-channels']);
      // A group gathered anew by a later storm (its mark replaced) is that storm's only.
      await enqueue(store(), gathered('firing', { '#payments-alerts': { storm: storm + 60_000, status: 'firing' } }), []);
      expect(await ids('#payments-alerts', storm)).toEqual(['resolved', 'two-channels']);
    });
    it('updates a group: replaced alerts, new status, targets and hash; createdAt stays', async () => {
      await enqueue(store(), group('g1', { alerts: [alert('a'), alert('b')], targets: [SLACK] }), []);
      const updated = group('g1', {
        status: 'resolved',
        alerts: [alert('b', 'resolved'), alert('c', 'resolved')],
        targets: [SLACK, PAGERDUTY],
        notifiedHash: 'hash-2',
        notifiedAt: '2026-10-01T11:00:00.000Z',
        updatedAt: '2026-10-01T11:00:00.000Z',
      });
      await enqueue(store(), { ...updated, createdAt: '2027-01-01T00:00:00.000Z' }, []);
      expect(await store().getGroup('g1')).toEqual(updated);
      const listed = await store().listAlerts({ limit: 10 });
      expect(listed.items.map((a) => a.fingerprint).sort()).toEqual(['b', 'c']);
    });

    it('hands decide the current state of exactly the requested groups', async () => {
      const g1 = group('g1', { alerts: [alert('a'), alert('b')], notifiedHash: 'h1', targets: [SLACK] });
      const g2 = group('g2', { team: 'prisons' });
      await store().updateGroups(['g1', 'g2'], () => [
        { group: g1, notifications: [] },
        { group: g2, notifications: [] },
      ]);
      await enqueue(store(), group('g3'), []);
      let seen: Map<string, GroupRecord> | undefined;
      await store().updateGroups(['g1', 'g2', 'missing'], (current) => {
        seen = current;
        return [];
      });
      expect(seen && [...seen.keys()].sort()).toEqual(['g1', 'g2']);
      expect(seen?.get('g1')).toEqual(g1);
      expect(seen?.get('g2')).toEqual(g2);
    });

    it('returns the inserted notifications as stored', async () => {
      const g = group('g1');
      const inserted = await enqueue(store(), g, [
        notification(g, SLACK),
        notification(g, PAGERDUTY, { status: 'suppressed', reason: 'duplicate within dedup window 4h', kind: 'repeat' }),
      ]);
      expect(inserted).toHaveLength(2);
      const [pending, suppressed] = inserted;
      expect(pending).toMatchObject({ groupId: 'g1', team: 'payments', target: SLACK, kind: 'new', status: 'pending' });
      expect(pending).toMatchObject({ reason: null, attempts: 0, lastError: null, sentAt: null });
      expect(pending?.snapshot).toEqual(notification(g, SLACK).snapshot);
      expect(pending?.nextAttemptAt).not.toBeNull();
      expect(suppressed).toMatchObject({ status: 'suppressed', kind: 'repeat', target: PAGERDUTY, nextAttemptAt: null });
      expect(suppressed?.reason).toBe('duplicate within dedup window 4h');
      expect(Number(suppressed?.id)).toBeGreaterThan(Number(pending?.id));
      expect(Date.parse(pending?.createdAt ?? '')).not.toBeNaN();
      expect(await store().getNotification(pending?.id ?? -1)).toEqual(pending);
      expect(await store().getNotification(999_999)).toBeUndefined();
    });

    it('round-trips labels and annotations named __proto__ (as a parsed webhook holds them) in the group, the alert list and the queued snapshot', async () => {
      // JSON.parse makes "__proto__" an own key; an object literal would set the prototype instead.
      const own = (json: string) => JSON.parse(json) as Record<string, string>;
      const proto = (labels: Record<string, string> | undefined) => (labels && Object.hasOwn(labels, '__proto__') ? labels['__proto__'] : 'missing');
      const a = alert('a', 'firing', own('{"pod":"checkout-1","__proto__":"evil"}'));
      a.annotations = own('{"summary":"s","__proto__":"note"}');
      const g = group('g1', { alerts: [a], commonLabels: own('{"alertname":"g1","__proto__":"evil"}') });
      await enqueue(store(), g, [notification(g, SLACK)]);

      const read = await store().getGroup('g1');
      expect([proto(read?.alerts[0]?.labels), proto(read?.alerts[0]?.annotations), proto(read?.commonLabels)]).toEqual(['evil', 'note', 'evil']);
      expect(read).toEqual(g);
      const listed = (await store().listAlerts({ limit: 10 })).items;
      expect(listed.map((x) => proto(x.labels))).toEqual(['evil']);
      const [claimed] = await store().claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 60_000 });
      expect([proto(claimed?.snapshot.alerts[0]?.labels), proto(claimed?.snapshot.commonLabels)]).toEqual(['evil', 'evil']);
    });

    it('a 100-alert group\'s snapshot reads back whole from the queue, by id and from the history list', async () => {
      const alerts = Array.from({ length: 100 }, (_, i) => alert(`a${i}`, i % 7 === 0 ? 'resolved' : 'firing', { pod: `checkout-${i}-7f9c`, note: 'é ✓ ☃' }));
      const g = group('big', { alerts, targets: [SLACK, PAGERDUTY] });
      const expected = snapshot(g);
      expect(JSON.stringify(expected).length).toBeGreaterThan(30_000);
      const [slack, pagerduty] = await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      expect(slack?.snapshot).toEqual(expected);
      expect((await store().getNotification(pagerduty?.id ?? -1))?.snapshot).toEqual(expected);
      const claimed = await store().claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 60_000 });
      expect(claimed.map((n) => n.snapshot)).toEqual([expected, expected]);
      expect((await store().listNotifications({ limit: 10 })).items.map((n) => n.snapshot)).toEqual([expected, expected]);
    });

    it('a snapshot keeps how many alerts Alertmanager left out (truncatedAlerts), small or deflated, and one without it has no such field', async () => {
      const small = group('small', { targets: [SLACK] });
      const alerts = Array.from({ length: 100 }, (_, i) => alert(`a${i}`, 'firing', { pod: `checkout-${i}-7f9c` }));
      const big = group('big', { alerts, targets: [SLACK] });
      const whole = group('whole', { targets: [SLACK] });
      const cut = (g: GroupRecord, truncatedAlerts: number) => notification(g, SLACK, { snapshot: { ...snapshot(g), truncatedAlerts } });
      await enqueue(store(), small, [cut(small, 3)]);
      await enqueue(store(), big, [cut(big, 1200)]);
      await enqueue(store(), whole);
      const claimed = await store().claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 60_000 });
      const byGroup = new Map(claimed.map((n) => [n.groupId, n]));
      expect(byGroup.get('small')?.snapshot).toEqual({ ...snapshot(small), truncatedAlerts: 3 });
      expect(byGroup.get('big')?.snapshot).toEqual({ ...snapshot(big), truncatedAlerts: 1200 });
      expect(byGroup.get('whole')?.snapshot).not.toHaveProperty('truncatedAlerts');
      expect((await store().getNotification(byGroup.get('big')?.id ?? -1))?.snapshot.truncatedAlerts).toBe(1200);
      const listed = (await store().listNotifications({ limit: 10 })).items;
      expect(listed.map((n) => [n.groupId, n.snapshot.truncatedAlerts])).toEqual(
        expect.arrayContaining([['small', 3], ['big', 1200], ['whole', undefined]]),
      );
    });

    it('enqueues exactly one notification when many redeliveries race (dedup guard)', async () => {
      const incoming = group('g1', { alerts: [alert('a')], targets: [SLACK] });
      const decide = (current: Map<string, GroupRecord>): GroupWrite[] => {
        const known = current.get('g1');
        const duplicate = known?.notifiedHash === 'hash-a';
        const next = { ...incoming, notifiedHash: 'hash-a', notifiedAt: incoming.updatedAt };
        const status = duplicate ? ('suppressed' as const) : ('pending' as const);
        return [{ group: duplicate ? (known ?? next) : next, notifications: [notification(next, SLACK, { status })] }];
      };
      const results = await Promise.all(Array.from({ length: 25 }, () => store().updateGroups(['g1'], decide)));
      const statuses = results.flat().map((n) => n.status);
      expect(statuses.filter((s) => s === 'pending')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'suppressed')).toHaveLength(24);
      expect(await store().outboxDepth()).toBe(1);
    });

    it('persists nothing when decide throws, and rejects with what it threw', async () => {
      // The very error: storm control asks for more locks this way (storm/channel-locks.ts).
      const thrown = new Error('decide failed');
      await expect(
        store().updateGroups(['g1'], () => {
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect(await store().getGroup('g1')).toBeUndefined();
    });

    it('rolls back earlier writes of a call when a later one fails', async () => {
      await expect(writeThenFail(store, group('g1'))).rejects.toThrow('late failure');
      expect(await store().getGroup('g1')).toBeUndefined();
      expect((await store().listNotifications({ limit: 10 })).items).toEqual([]);
      expect(await store().outboxDepth()).toBe(0);
    });

    it('writes several groups in one call, returning notifications in write order', async () => {
      const g1 = group('g1');
      const g2 = group('g2', { team: 'prisons' });
      const inserted = await store().updateGroups(['g1', 'g2'], () => [
        { group: g1, notifications: [notification(g1, SLACK), notification(g1, PAGERDUTY)] },
        { group: g2, notifications: [notification(g2, SLACK)] },
      ]);
      expect(inserted.map((n) => [n.groupId, n.target.type])).toEqual([
        ['g1', 'slack'],
        ['g1', 'pagerduty'],
        ['g2', 'slack'],
      ]);
      expect(await store().getGroup('g2')).toEqual(g2);
    });
  });
}

/**
 * decide returns two writes, the second of which throws when the store reads it: whatever
 * the first write did must be undone.
 */
async function writeThenFail(store: CurrentStore, g: GroupRecord): Promise<unknown> {
  return store().updateGroups([g.id], () => {
    const writes: GroupWrite[] = [{ group: g, notifications: [notification(g, SLACK)] }];
    Object.defineProperty(writes, 1, {
      enumerable: true,
      get() {
        throw new Error('late failure');
      },
    });
    return writes;
  });
}
