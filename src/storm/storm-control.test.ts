import { describe, expect, it } from 'vitest';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Target } from '../model/target.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord, GroupWrite } from '../store/store.js';
import { channelGroupId, readChannelState } from './channel-state.js';
import { applyStormControl, ChannelsNotLocked, DIGESTED_REASON, endQuietStorms, FOLDED_REASON, UNFOLLOWED_REASON, type StormContext } from './storm-control.js';

const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const pd: Target = { type: 'pagerduty', team: 'payments' };

const config = (storm: TeamConfig['storm']): RoutingConfig => routingOf(paymentsTeam(storm ? { storm } : {}));

function newGroup(i: number, status: 'firing' | 'resolved' = 'firing', prev?: GroupRecord, fingerprint = `f${i}`) {
  return decideGroup(
    prev,
    {
      groupId: `g${i}`,
      team: 'payments',
      notification: { receiver: 'x', status, groupKey: `k${i}`, groupLabels: {}, commonLabels: { alertname: `A${i}`, severity: 'critical' }, commonAnnotations: {}, externalURL: '', truncatedAlerts: 0 },
      alerts: [
        { fingerprint, status, labels: { alertname: `A${i}` }, annotations: {}, startsAt: '2026-11-27T10:00:00Z', endsAt: status === 'resolved' ? '2026-11-27T10:00:20Z' : null, generatorURL: '' },
      ],
      targets: [slack, pd],
      dedupWindowMs: 3_600_000,
    },
    new Date('2026-11-27T10:00:00Z'),
  );
}

/** Group g<i> as a webhook of these alerts (fingerprint: status) makes it after `prev`. */
function groupOf(i: number, alerts: Record<string, 'firing' | 'resolved'>, prev: GroupRecord | undefined) {
  const status = Object.values(alerts).includes('firing') ? 'firing' : 'resolved';
  return decideGroup(
    prev,
    {
      groupId: `g${i}`,
      team: 'payments',
      notification: { receiver: 'x', status, groupKey: `k${i}`, groupLabels: {}, commonLabels: { alertname: `A${i}`, severity: 'critical' }, commonAnnotations: {}, externalURL: '', truncatedAlerts: 0 },
      alerts: Object.entries(alerts).map(([fingerprint, s]) => ({
        fingerprint,
        status: s,
        labels: { alertname: `A${i}` },
        annotations: {},
        startsAt: '2026-11-27T10:00:00Z',
        endsAt: s === 'resolved' ? '2026-11-27T10:00:20Z' : null,
        generatorURL: '',
      })),
      targets: [slack, pd],
      dedupWindowMs: 3_600_000,
    },
    new Date('2026-11-27T10:00:00Z'),
  );
}

const statuses = (writes: ReturnType<typeof applyStormControl>) =>
  writes.filter((w) => w.group.id.startsWith('g')).map((w) => w.notifications.map((n) => `${n.target.type}:${n.status}`).join(' '));

describe('applyStormControl', () => {
  it('digests Slack beyond the limit but never holds back PagerDuty by default', () => {
    const writes = applyStormControl([newGroup(1), newGroup(2)], new Map(), { config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now: new Date('2026-11-27T10:00:00Z') });
    expect(statuses(writes)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:pending']);
    expect(writes.find((w) => w.group.id === 'g2')!.notifications[0]!.reason).toBe(DIGESTED_REASON);
  });

  it('holds back pages of digested groups when the team configures holdPagerDuty', () => {
    const writes = applyStormControl([newGroup(1), newGroup(2)], new Map(), { config: config({ maxMessagesPerMinute: 1, holdPagerDuty: true }), now: new Date('2026-11-27T10:00:00Z') });
    expect(statuses(writes)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:suppressed']);
  });

  it('goes on with a storm whose digest was stored as an entry per group, before the upgrade', () => {
    const now = new Date('2026-11-27T10:00:30Z');
    const started = Date.parse('2026-11-27T10:00:00Z');
    const legacy = {
      windowStart: started,
      windowCount: 1,
      active: true,
      stormStartedAt: started,
      lastDigestAt: started,
      endedAt: null,
      digest: { g2: { alertname: 'A2', severity: 'critical', status: 'firing' } },
    };
    const channelId = channelGroupId('payments', '#payments-alerts');
    const channel = pseudoGroupRecord(
      { id: channelId, team: 'payments', groupKey: 'storm:#payments-alerts', status: 'firing', annotations: { 'alertgate.storm': JSON.stringify(legacy) }, targets: [slack] },
      undefined,
      now,
    );
    const ctx = { config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now };
    const digestText = (writes: ReturnType<typeof applyStormControl>) => writes.find((w) => w.group.id === channelId)!.notifications[0]!.snapshot.message!.text;

    // A new group joins the digest beside the one gathered before the upgrade.
    const joined = applyStormControl([newGroup(3)], new Map([[channelId, channel]]), ctx);
    expect(statuses(joined)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(digestText(joined)).toContain('2 new groups since 10:00 UTC are gathered here (2 firing)');

    // The group gathered before the upgrade resolves: folded into the digest, no message of its own.
    const upgraded = joined.find((w) => w.group.id === channelId)!.group;
    const resolved = applyStormControl([newGroup(2, 'resolved', newGroup(2).group)], new Map([[channelId, upgraded]]), ctx);
    expect(statuses(resolved)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(digestText(resolved)).toContain('2 new groups since 10:00 UTC are gathered here (1 firing)');

    // After the storm g2 fires again: its own message, which its resolution then edits; the digest no longer follows it.
    const later = (s: number) => ({ ...ctx, now: new Date(now.getTime() + s * 1000) });
    const ended = endQuietStorms(new Map([[channelId, resolved.find((w) => w.group.id === channelId)!.group]]), later(120));
    const g2 = resolved.find((w) => w.group.id === 'g2')!.group;
    const again = applyStormControl([newGroup(2, 'firing', g2, 'f2-again')], new Map([[channelId, ended[0]!.group]]), later(150));
    expect(statuses(again)).toEqual(['slack:pending pagerduty:pending']);
    const over = applyStormControl([newGroup(2, 'resolved', again[0]!.group, 'f2-again')], new Map([[channelId, again[1]!.group]]), later(160));
    expect(statuses(over)).toEqual(['slack:pending pagerduty:pending']);
  });

  it('remembers on the group which storm gathered it: folds its changes into that digest, counts it anew in the next storm', () => {
    const channelId = channelGroupId('payments', '#payments-alerts');
    const at = (s: number) => ({ config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });
    const byId = (writes: ReturnType<typeof applyStormControl>, id: string) => writes.find((w) => w.group.id === id)!;
    // The digest a decision sends, for the channel's record or (a storm after the first) its own.
    const digestText = (writes: ReturnType<typeof applyStormControl>) => writes.flatMap((w) => w.notifications).find((n) => n.snapshot.message)!.snapshot.message!.text;

    const first = applyStormControl([newGroup(1), newGroup(2)], new Map(), at(0));
    const g2 = byId(first, 'g2').group;
    expect(g2.stormDigests).toEqual({ '#payments-alerts': { storm: at(0).now.getTime(), status: 'firing' } });
    expect(byId(first, 'g1').group.stormDigests).toBeUndefined();

    const resolved = applyStormControl([newGroup(2, 'resolved', g2)], new Map([[channelId, byId(first, channelId).group]]), at(10));
    expect(statuses(resolved)).toEqual(['slack:suppressed pagerduty:pending']);
    // Folded, not gathered again: the metric of digested groups counts g2 once (http/webhook.ts).
    expect(byId(first, 'g2').notifications[0]!.reason).toBe(DIGESTED_REASON);
    expect(byId(resolved, 'g2').notifications[0]!.reason).toBe(FOLDED_REASON);
    expect(digestText(resolved)).toContain('1 new group since 10:00 UTC is gathered here (0 firing)');
    expect(byId(resolved, 'g2').group.stormDigests!['#payments-alerts']!.status).toBe('resolved');

    // A quiet minute ends the storm; a new one starts two minutes later and g2 fires again (another alert).
    const ended = endQuietStorms(new Map([[channelId, byId(resolved, channelId).group]]), at(120));
    const g3 = applyStormControl([newGroup(3)], new Map([[channelId, ended[0]!.group]]), at(180));
    const again = applyStormControl([newGroup(4), newGroup(2, 'firing', byId(resolved, 'g2').group, 'f2-again')], new Map([[channelId, byId(g3, channelId).group]]), at(181));
    expect(statuses(again)).toEqual(['slack:suppressed pagerduty:pending', 'slack:suppressed pagerduty:pending']);
    // g2 is counted in the new digest like g4, not taken for one of its members.
    expect(digestText(again)).toContain('2 new groups since 10:03 UTC are gathered here (2 firing)');
    expect(byId(again, 'g2').group.stormDigests!['#payments-alerts']!.storm).toBe(at(181).now.getTime());
  });

  it('announces the end of a storm in the thread once: later resolutions edit the closed digest without a reply', () => {
    const channelId = channelGroupId('payments', '#payments-alerts');
    const at = (s: number) => ({ config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });
    const byId = (writes: ReturnType<typeof applyStormControl>, id: string) => writes.find((w) => w.group.id === id)!;
    const digestOf = (writes: ReturnType<typeof applyStormControl>) => {
      const n = byId(writes, channelId).notifications[0]!;
      return { kind: n.kind, supersedesPending: n.supersedesPending, threadReply: n.snapshot.message!.threadReply, text: n.snapshot.message!.text };
    };

    // g1 gets its own message; g2 and g3 are gathered into the digest.
    const first = applyStormControl([newGroup(1), newGroup(2), newGroup(3)], new Map(), at(0));
    expect(digestOf(first)).toMatchObject({ kind: 'new', threadReply: false });
    // A quiet minute ends the storm: the closing edit replies in the thread, and no later edit may drop it unsent.
    const ended = endQuietStorms(new Map([[channelId, byId(first, channelId).group]]), at(120));
    expect(digestOf(ended)).toMatchObject({ kind: 'resolved', supersedesPending: true, threadReply: true });
    expect(digestOf(ended).text).toContain('Alert storm over');
    // After it, the gathered groups resolve one by one: each edits the closed digest, none replies.
    const r2 = applyStormControl([newGroup(2, 'resolved', byId(first, 'g2').group)], new Map([[channelId, ended[0]!.group]]), at(300));
    expect(digestOf(r2)).toMatchObject({ kind: 'changed', supersedesPending: true, threadReply: false });
    expect(digestOf(r2).text).toContain('1 still firing');
    const r3 = applyStormControl([newGroup(3, 'resolved', byId(first, 'g3').group)], new Map([[channelId, byId(r2, channelId).group]]), at(400));
    expect(digestOf(r3)).toMatchObject({ kind: 'changed', threadReply: false });
    expect(digestOf(r3).text).toContain('0 still firing');
  });
  it('a gathered group whose own message goes out after the storm is followed by it: its resolution edits that message, not the closed digest', () => {
    const channelId = channelGroupId('payments', '#payments-alerts');
    const at = (s: number) => ({ config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });
    const byId = (writes: ReturnType<typeof applyStormControl>, id: string) => writes.find((w) => w.group.id === id)!;
    const digestOf = (writes: ReturnType<typeof applyStormControl>) => byId(writes, channelId).notifications[0]?.snapshot.message!.text;
    const channelOf = (writes: ReturnType<typeof applyStormControl>) => new Map([[channelId, byId(writes, channelId).group]]);

    // g2 and g3 are gathered; the storm ends with both firing.
    const first = applyStormControl([newGroup(1), newGroup(2), newGroup(3)], new Map(), at(0));
    const ended = endQuietStorms(channelOf(first), at(120));
    expect(ended[0]!.notifications[0]!.snapshot.message!.text).toContain('2 still firing');

    // g2 resolves after the storm (folded into the closed digest), then fires again: a new episode, its own message.
    const r2 = applyStormControl([newGroup(2, 'resolved', byId(first, 'g2').group)], new Map([[channelId, ended[0]!.group]]), at(150));
    expect(statuses(r2)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(digestOf(r2)).toContain('1 still firing');
    const again = applyStormControl([newGroup(2, 'firing', byId(r2, 'g2').group, 'f2-again')], channelOf(r2), at(200));
    expect(statuses(again)).toEqual(['slack:pending pagerduty:pending']);
    // Its resolution is the group's own: it edits its message (the digest, which no longer follows it, is left alone).
    const over = applyStormControl([newGroup(2, 'resolved', byId(again, 'g2').group, 'f2-again')], channelOf(again), at(250));
    expect(statuses(over)).toEqual(['slack:pending pagerduty:pending']);
    expect(byId(over, channelId).notifications).toEqual([]);
    // The mark that made the digest follow the group went with its own message.
    expect(byId(again, 'g2').group.stormDigests).toBeUndefined();

    // g3 changes after the storm while still firing: its own message goes out, and the closed digest stops counting it
    // as firing (it would say so forever: the digest no longer hears of it).
    const changed = applyStormControl([groupOf(3, { f3: 'firing', f3b: 'firing' }, byId(first, 'g3').group)], channelOf(over), at(300));
    expect(statuses(changed)).toEqual(['slack:pending pagerduty:pending']);
    expect(digestOf(changed)).toContain('0 still firing');
    const resolved = applyStormControl([groupOf(3, { f3: 'resolved', f3b: 'resolved' }, byId(changed, 'g3').group)], channelOf(changed), at(350));
    expect(statuses(resolved)).toEqual(['slack:pending pagerduty:pending']);
    expect(byId(resolved, channelId).notifications).toEqual([]);
  });

  it('never writes over the state of a channel it was not given: a message to a channel the config no longer names asks for it, and folds once given it', () => {
    const channelId = channelGroupId('payments', '#payments-alerts');
    const storm = { maxMessagesPerMinute: 1, holdPagerDuty: false };
    // A reload moved the team to #payments-new: what the pipeline locks (pipeline/accept.ts lockedIds) is that channel's state.
    const moved = routingOf(paymentsTeam({ storm, slack: { channel: '#payments-new' } }));
    const at = (s: number, cfg = config(storm)) => ({ config: cfg, now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });
    const byId = (writes: ReturnType<typeof applyStormControl>, id: string) => writes.find((w) => w.group.id === id)!;

    // g2 is gathered into the digest of #payments-alerts; then the reload.
    const first = applyStormControl([newGroup(1), newGroup(2)], new Map(), at(0));
    // g2's resolution goes to #payments-alerts, where its episode was announced: without that channel's state, storm control asks for it.
    const resolution = () => newGroup(2, 'resolved', byId(first, 'g2').group);
    let asked: unknown;
    try {
      applyStormControl([resolution()], new Map(), at(10, moved));
    } catch (err) {
      asked = err;
    }
    expect(asked).toBeInstanceOf(ChannelsNotLocked);
    expect((asked as ChannelsNotLocked).ids).toEqual([channelId]);

    // Given it, the resolution is folded into the digest, as before the reload.
    const folded = applyStormControl([resolution()], new Map([[channelId, byId(first, channelId).group]]), { ...at(10, moved), alsoLocked: new Set([channelId]) });
    expect(statuses(folded)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(byId(folded, channelId).notifications[0]!.snapshot.message!.text).toContain('1 new group since 10:00 UTC is gathered here (0 firing)');
  });

  it('holdPagerDuty: a digested group pages nobody while the storm lasts, its changes included; its resolution reaches PagerDuty only if it paged', () => {
    const at = (s: number, holdPagerDuty = true) => ({ config: config({ maxMessagesPerMinute: 1, holdPagerDuty }), now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });
    const byId = (writes: ReturnType<typeof applyStormControl>, id: string) => writes.find((w) => w.group.id === id)!;
    // What the store holds after `writes`: the channel's state and the groups' records.
    const current = (writes: ReturnType<typeof applyStormControl>) => new Map(writes.map((w) => [w.group.id, w.group]));

    // g1 pages; g2 and g3 are gathered, their pages held.
    const first = applyStormControl([newGroup(1), newGroup(2), newGroup(3)], new Map(), at(0));
    expect(statuses(first)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:suppressed', 'slack:suppressed pagerduty:suppressed']);
    // g2 changes while the storm goes on: folded into the digest, and still no page.
    const changed = applyStormControl([groupOf(2, { f2: 'firing', f2b: 'firing' }, byId(first, 'g2').group)], current(first), at(5));
    expect(statuses(changed)).toEqual(['slack:suppressed pagerduty:suppressed']);
    // g1, which paged before the storm, resolves during it: PagerDuty hears of it.
    const r1 = applyStormControl([newGroup(1, 'resolved', byId(first, 'g1').group)], new Map([...current(first), ...current(changed)]), at(10));
    expect(statuses(r1)).toEqual(['slack:pending pagerduty:pending']);

    // The storm ends. g2, never paged, resolves: its resolution goes into the digest and nowhere else.
    const ended = endQuietStorms(current(r1), at(120));
    const state = new Map([...current(first), ...current(changed), ...current(ended)]);
    const r2 = applyStormControl([groupOf(2, { f2: 'resolved', f2b: 'resolved' }, byId(changed, 'g2').group)], state, at(150));
    expect(statuses(r2)).toEqual(['slack:suppressed pagerduty:suppressed']);
    // g3 changes after the storm: its own message and its page go out; its resolution then reaches PagerDuty too.
    const c3 = applyStormControl([groupOf(3, { f3: 'firing', f3b: 'firing' }, byId(first, 'g3').group)], new Map([...state, ...current(r2)]), at(160));
    expect(statuses(c3)).toEqual(['slack:pending pagerduty:pending']);
    const r3 = applyStormControl([groupOf(3, { f3: 'resolved', f3b: 'resolved' }, byId(c3, 'g3').group)], new Map([...state, ...current(r2), ...current(c3)]), at(170));
    expect(statuses(r3)).toEqual(['slack:pending pagerduty:pending']);

    // A group gathered while the team let pages through paged: its resolution goes out once the team holds them.
    const paged = applyStormControl([newGroup(4), newGroup(5)], new Map(), at(0, false));
    expect(statuses(paged)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:pending']);
    const r5 = applyStormControl([newGroup(5, 'resolved', byId(paged, 'g5').group)], current(paged), at(10));
    expect(statuses(r5)).toEqual(['slack:suppressed pagerduty:pending']);
  });

  it('a group a storm gathered that changes or resolves after the next storm started: the digest that gathered it follows it, in its own message', () => {
    const life = channelLife();
    const at = atSeconds({ maxMessagesPerMinute: 1, holdPagerDuty: false });
    // Storm 1 (10:00): g1 gets its own message; g2, g3 and g4 are gathered. It ends with the three firing.
    const [post1] = digestsOf(life.apply([newGroup(1), newGroup(2), newGroup(3), newGroup(4)], at(0)));
    expect(post1).toMatchObject({ kind: 'new' });
    expect(digestsOf(life.end(at(120)))).toEqual([{ groupId: post1!.groupId, kind: 'resolved', text: expect.stringContaining('3 still firing') }]);

    // Storm 2 (10:05): g5 gets its own message, g6 is gathered.
    const [post2] = digestsOf(life.apply([newGroup(5), newGroup(6)], at(300)));
    expect(post2).toMatchObject({ kind: 'new', text: expect.stringContaining('1 new group since 10:05 UTC') });

    // g2 resolves while storm 2 goes on: folded into digest 1 (edited), nothing of its own, digest 2 left alone.
    const r2 = life.apply([newGroup(2, 'resolved', life.group(2))], at(310));
    expect(statuses(r2)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(r2.find((w) => w.group.id === 'g2')!.notifications[0]!.reason).toBe(FOLDED_REASON);
    expect(digestsOf(r2)).toEqual([{ groupId: post1!.groupId, kind: 'changed', text: expect.stringContaining('3 groups between 10:00 UTC and 10:02 UTC; 2 still firing') }]);
    expect(r2.flatMap((w) => w.notifications).find((n) => n.groupId === post1!.groupId)!.snapshot.message!.threadReply).toBe(false);
    // Digest 2 is another message: the Slack message a digest edits is found by its record's id, so
    // storm 2's post must not be sent for the record digest 1's edits go to.
    expect(post2!.groupId).not.toBe(post1!.groupId);

    // g3 changes during storm 2: as after any storm, its own message goes out, and digest 1 stops counting it as firing.
    const c3 = life.apply([groupOf(3, { f3: 'firing', f3b: 'firing' }, life.group(3))], at(320));
    expect(statuses(c3)).toEqual(['slack:pending pagerduty:pending']);
    expect(digestsOf(c3)).toEqual([{ groupId: post1!.groupId, kind: 'changed', text: expect.stringContaining('1 still firing') }]);

    // Storm 2 ends; g4 resolves after it: folded into digest 1 too, which then counts nothing firing and is kept no more.
    expect(digestsOf(life.end(at(500)))).toEqual([{ groupId: post2!.groupId, kind: 'resolved', text: expect.stringContaining('1 still firing') }]);
    const r4 = life.apply([newGroup(4, 'resolved', life.group(4))], at(510));
    expect(statuses(r4)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(digestsOf(r4)).toEqual([{ groupId: post1!.groupId, kind: 'changed', text: expect.stringContaining('0 still firing') }]);
    expect(readChannelState(life.channel()).earlier ?? []).toEqual([]);

    // g6 resolves into digest 2; g3's resolution edits its own message, no digest.
    expect(digestsOf(life.apply([newGroup(6, 'resolved', life.group(6))], at(520)))).toEqual([{ groupId: post2!.groupId, kind: 'changed', text: expect.stringContaining('0 still firing') }]);
    const r3 = life.apply([groupOf(3, { f3: 'resolved', f3b: 'resolved' }, life.group(3))], at(530));
    expect(statuses(r3)).toEqual(['slack:pending pagerduty:pending']);
    expect(digestsOf(r3)).toEqual([]);
  });

  it('a group gathered by one storm, gathered again by the next after firing again: the first digest stops counting it', () => {
    const life = channelLife();
    const at = atSeconds({ maxMessagesPerMinute: 1, holdPagerDuty: false });
    const [post1] = digestsOf(life.apply([newGroup(1), newGroup(2), newGroup(3)], at(0)));
    life.end(at(120));
    // g2 resolves (folded into digest 1), then storm 2 gathers it again as it fires anew.
    life.apply([newGroup(2, 'resolved', life.group(2))], at(150));
    const again = life.apply([newGroup(4), newGroup(5), newGroup(2, 'firing', life.group(2), 'f2-again')], at(300));
    expect(statuses(again)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:pending', 'slack:suppressed pagerduty:pending']);
    expect(digestsOf(again)).toEqual([expect.objectContaining({ kind: 'new', text: expect.stringContaining('2 new groups since 10:05 UTC are gathered here (2 firing)') })]);
    // g3, still firing in digest 1, resolves during storm 2: digest 1 is edited, and counts nothing firing.
    expect(digestsOf(life.apply([newGroup(3, 'resolved', life.group(3))], at(310)))).toEqual([{ groupId: post1!.groupId, kind: 'changed', text: expect.stringContaining('0 still firing') }]);
    expect(readChannelState(life.channel()).earlier ?? []).toEqual([]);
  });

  it('keeps at most 20 earlier digests that count firing groups: the oldest is followed no more, and its groups resolve without a message', () => {
    const life = channelLife();
    const at = atSeconds({ maxMessagesPerMinute: 1, holdPagerDuty: false });
    // 22 storms five minutes apart, each gathering one group that stays firing.
    const posts: string[] = [];
    for (let k = 0; k < 22; k++) {
      const [post] = digestsOf(life.apply([newGroup(100 + 2 * k), newGroup(101 + 2 * k)], at(300 * k)));
      posts.push(post!.groupId);
      life.end(at(300 * k + 120));
    }
    expect(new Set(posts).size).toBe(22);
    const state = readChannelState(life.channel());
    expect(state.earlier?.map((e) => e.storm)).toEqual(Array.from({ length: 20 }, (_, k) => at(300 * (k + 1)).now.getTime()));

    // Storm 0's group resolves: its digest is no longer followed, and the group never had a message of its own in the channel.
    const dropped = life.apply([newGroup(101, 'resolved', life.group(101))], at(300 * 22));
    expect(statuses(dropped)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(dropped.find((w) => w.group.id === 'g101')!.notifications[0]!.reason).toBe(UNFOLLOWED_REASON);
    expect(digestsOf(dropped)).toEqual([]);
    // Storm 1's, the oldest kept, still folds into its digest.
    const kept = life.apply([newGroup(103, 'resolved', life.group(103))], at(300 * 22 + 10));
    expect(statuses(kept)).toEqual(['slack:suppressed pagerduty:pending']);
    expect(digestsOf(kept)).toEqual([{ groupId: posts[1], kind: 'changed', text: expect.stringContaining('0 still firing') }]);
    expect(readChannelState(life.channel()).earlier).toHaveLength(19);
  });

  it('counts new-group messages over a sliding 60 s: a flood straddling the turn of a minute posts no more than the limit within any 60 s, then a digest starts and ends as before', () => {
    const life = channelLife();
    const at = atSeconds({ maxMessagesPerMinute: 3, holdPagerDuty: false });
    const times = [0, 57, 58, 61, 62, 63, 64];
    const decided = times.map((s, i) => life.apply([newGroup(i + 1)], at(s)));
    const own = times.filter((_, i) => statuses(decided[i]!)[0] === 'slack:pending pagerduty:pending');
    // 57 s and 58 s fill the minute begun at 0 s; at 61 s only they are within the last 60 s, so one
    // more fits. A fixed window, restarted at 61 s, let 61, 62 and 63 post too: five within 7 s.
    expect(own).toEqual([0, 57, 58, 61]);
    for (const start of own) expect(own.filter((s) => s >= start && s < start + 60).length).toBeLessThanOrEqual(3);

    expect(digestsOf(decided[4]!)).toEqual([expect.objectContaining({ kind: 'new', text: expect.stringContaining('1 new group since 10:01 UTC is gathered here') })]);
    expect(digestsOf(decided[6]!)).toEqual([expect.objectContaining({ kind: 'changed', text: expect.stringContaining('3 new groups since 10:01 UTC are gathered here') })]);
    // A quiet minute after the last gathered group ends the storm; the next group has its own message again.
    expect(digestsOf(life.end(at(123)))).toEqual([]);
    expect(digestsOf(life.end(at(124)))).toEqual([expect.objectContaining({ kind: 'resolved' })]);
    expect(statuses(life.apply([newGroup(8)], at(125)))).toEqual(['slack:pending pagerduty:pending']);
  });

  it('a flood at the end of a second and a group 59.001 s later: the limit holds within those 60 s, the later group is gathered into a digest', () => {
    const life = channelLife();
    const at = atSeconds({ maxMessagesPerMinute: 3, holdPagerDuty: false });
    const flood = life.apply([newGroup(1), newGroup(2), newGroup(3)], at(0.999));
    expect(statuses(flood)).toEqual(Array(3).fill('slack:pending pagerduty:pending'));
    const later = life.apply([newGroup(4)], at(60));
    expect(statuses(later)[0]).toBe('slack:suppressed pagerduty:pending');
    expect(digestsOf(later)).toEqual([expect.objectContaining({ kind: 'new', text: expect.stringContaining('1 new group since 10:01 UTC is gathered here') })]);
  });

  it('reads a channel state stored before earlier digests were kept: its last storm is kept when the next one starts', () => {
    const started = Date.parse('2026-11-27T10:00:00Z');
    const channelId = channelGroupId('payments', '#payments-alerts');
    // As stored by the version before (commit b4c1a07): a closed storm whose gathered g2 still fires.
    const stored = {
      windowStart: started,
      windowCount: 1,
      active: false,
      stormStartedAt: started + 1000,
      lastDigestAt: started + 1000,
      endedAt: started + 120_000,
      tally: { groups: 1, firing: 1, alertnames: { A2: 1 }, severities: { critical: 1 } },
    };
    const life = channelLife();
    life.stored.set(channelId, pseudoGroupRecord({ id: channelId, team: 'payments', groupKey: 'storm:#payments-alerts', status: 'resolved', annotations: { 'alertgate.storm': JSON.stringify(stored) }, targets: [slack] }, undefined, new Date(started)));
    const g2 = newGroup(2).group;
    life.stored.set('g2', { ...g2, stormDigests: { '#payments-alerts': { storm: started + 1000, status: 'firing' } } });
    expect(readChannelState(life.channel()).earlier ?? []).toEqual([]);

    const at = atSeconds({ maxMessagesPerMinute: 1, holdPagerDuty: false });
    const [post2] = digestsOf(life.apply([newGroup(5), newGroup(6)], at(300)));
    // The stored storm's digest lives on the channel's record, where its Slack message was posted.
    expect(digestsOf(life.apply([newGroup(2, 'resolved', life.group(2))], at(310)))).toEqual([{ groupId: channelId, kind: 'changed', text: expect.stringContaining('1 group between 10:00 UTC and 10:02 UTC; 0 still firing') }]);
    expect(post2!.groupId).not.toBe(channelId);
  });
});

/** Storm control over the payments channel as a store would run it: each decision is given what the ones before wrote. */
function channelLife() {
  const channelId = channelGroupId('payments', '#payments-alerts');
  const stored = new Map<string, GroupRecord>();
  const keep = (writes: GroupWrite[]) => {
    for (const w of writes) stored.set(w.group.id, w.group);
    return writes;
  };
  return {
    stored,
    apply: (writes: GroupWrite[], ctx: StormContext) => keep(applyStormControl(writes, new Map(stored), ctx)),
    end: (ctx: StormContext) => keep(endQuietStorms(new Map([[channelId, stored.get(channelId)!]]), ctx)),
    group: (i: number) => stored.get(`g${i}`),
    channel: () => stored.get(channelId),
  };
}

const atSeconds = (storm: TeamConfig['storm']) => (s: number) => ({ config: config(storm), now: new Date(Date.parse('2026-11-27T10:00:00Z') + s * 1000) });

/** The digest messages the writes send, and the record each is sent for (its Slack message is found by it). */
const digestsOf = (writes: GroupWrite[]) =>
  writes.flatMap((w) => w.notifications.filter((n) => n.snapshot.message?.text.includes('Alert storm')).map((n) => ({ groupId: n.groupId, kind: n.kind, text: n.snapshot.message!.text })));
