/**
 * A storm's digest after the next storm in the channel has started, against both stores: a group
 * the first storm gathered that resolves then folds into the first digest, whose edit goes to the
 * Slack message the first storm posted (the outbox finds it by the digest's record), not to the
 * second storm's; the channel's state, stored as JSON, keeps the first storm's counts until they
 * count nothing firing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import { createLogger } from '../log/logger.js';
import { acceptNotification } from '../pipeline/accept.js';
import type { Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { oneAlertGroup } from './one-alert-group.case.js';
import { channelGroupId, readChannelState } from './channel-state.js';
import { FOLDED_REASON } from './storm-control.js';
import { tickStorms } from './storm-ticker.js';

const at = (time: string) => new Date(`2026-11-27T${time}Z`);
const CHANNEL = '#payments-alerts';
const channelId = channelGroupId('payments', CHANNEL);
const config = routingOf(paymentsTeam({ storm: { maxMessagesPerMinute: 1, holdPagerDuty: false } }));
const logger = createLogger({ level: 'error', write: () => undefined });

const group = (i: number, status: 'firing' | 'resolved') => oneAlertGroup(i, status, { resolvedAt: '2026-11-27T10:06:00Z' });

/**
 * Deliver what is due as the outbox worker does (outbox/worker.ts): a post stores its message's
 * ref, an edit uses the ref stored for its record and channel. Answers the edits' refs by item id.
 * The store stamps items with its own clock, so they are claimed by it, not by the decisions'.
 */
async function deliverAll(store: Store): Promise<Map<number, string | undefined>> {
  const edited = new Map<number, string | undefined>();
  for (;;) {
    const now = new Date();
    const due = await store.claimDue({ now, limit: 100, leaseMs: 60_000, owner: 'test' });
    if (due.length === 0) return edited;
    for (const item of due) {
      if (item.target.type !== 'slack') {
        await store.markSent(item.id, { claim: item.claim, owner: 'test', sentAt: now });
        continue;
      }
      const ref = item.kind === 'new' ? { channel: 'C0PAY', ts: `${item.id}.000100` } : await store.getSlackRef(item.groupId, item.target.channel);
      if (item.kind !== 'new') edited.set(item.id, ref?.ts);
      await store.markSent(item.id, { claim: item.claim, owner: 'test', sentAt: now, ...(ref ? { slackRef: ref } : {}) });
    }
  }
}

function earlierStormCases(newStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(() => store.close());

  const accept = (i: number, status: 'firing' | 'resolved', time: string) => acceptNotification(store, config, group(i, status), { now: () => at(time) });
  const digestPost = async (since: string) => {
    const listed = (await store.listNotifications({ limit: 100 })).items;
    return listed.find((n) => n.kind === 'new' && (n.snapshot.message?.text.includes(`since ${since} UTC`) ?? false))!;
  };

  it('a group of storm 1 resolving after storm 2 started edits digest 1’s message, posting nothing', async () => {
    // Storm 1: g1 gets its own message, g2 and g3 are gathered; it ends with both firing.
    await accept(1, 'firing', '10:00:00');
    await accept(2, 'firing', '10:00:01');
    await accept(3, 'firing', '10:00:02');
    expect(await tickStorms({ store, config: () => config, logger, now: () => at('10:01:10') })).toBe(1);
    await deliverAll(store);
    const post1 = await digestPost('10:00');

    // Storm 2: g4 gets its own message, g5 is gathered; its digest is posted.
    await accept(4, 'firing', '10:05:00');
    await accept(5, 'firing', '10:05:01');
    await deliverAll(store);
    const post2 = await digestPost('10:05');

    // g2 resolves while storm 2 goes on: folded into digest 1, whose message (posted by storm 1) is edited.
    const { notifications } = await accept(2, 'resolved', '10:05:10');
    const slack = notifications.filter((n) => n.target.type === 'slack');
    expect(slack.map((n) => [n.groupId === post1.groupId ? 'digest 1' : n.groupId === post2.groupId ? 'digest 2' : 'group', n.kind, n.status, n.reason])).toEqual([
      ['group', 'resolved', 'suppressed', FOLDED_REASON],
      ['digest 1', 'changed', 'pending', null],
    ]);
    expect(slack[1]!.snapshot.message!.text).toContain('2 groups between 10:00 UTC and 10:01 UTC; 1 still firing');
    const edited = await deliverAll(store);
    expect(edited.get(slack[1]!.id)).toBe(`${post1.id}.000100`);
    expect(readChannelState(await store.getGroup(channelId)).earlier?.map((e) => [e.storm, e.tally.firing])).toEqual([[at('10:00:01').getTime(), 1]]);

    // g3 resolves after storm 2 ended: digest 1 again, which then counts nothing firing and is kept no more.
    expect(await tickStorms({ store, config: () => config, logger, now: () => at('10:06:10') })).toBe(1);
    const last = (await accept(3, 'resolved', '10:06:20')).notifications.filter((n) => n.target.type === 'slack');
    expect(last.map((n) => [n.groupId === post1.groupId ? 'digest 1' : 'group', n.kind, n.status])).toEqual([
      ['group', 'resolved', 'suppressed'],
      ['digest 1', 'changed', 'pending'],
    ]);
    expect(last[1]!.snapshot.message!.text).toContain('0 still firing');
    expect((await deliverAll(store)).get(last[1]!.id)).toBe(`${post1.id}.000100`);
    expect(readChannelState(await store.getGroup(channelId)).earlier ?? []).toEqual([]);
    // Digest 2's message is another, found by a record of its own.
    expect(post2.groupId).not.toBe(post1.groupId);
    expect((await store.getSlackRef(post2.groupId, CHANNEL))?.ts).toBe(`${post2.id}.000100`);
  });

  it('the last digest edit of a storm, still undelivered when the next storm starts, is not superseded by the new storm’s digest', async () => {
    // Storm 1 gathers g2 and ends; g2 resolves: digest 1 owes its "0 still firing" edit (Slack slow).
    await accept(1, 'firing', '10:00:00');
    await accept(2, 'firing', '10:00:01');
    expect(await tickStorms({ store, config: () => config, logger, now: () => at('10:01:10') })).toBe(1);
    await deliverAll(store);
    const post1 = await digestPost('10:00');
    const owed = (await accept(2, 'resolved', '10:02:10')).notifications.find((n) => n.groupId === post1.groupId)!;
    expect(owed.snapshot.message!.text).toContain('0 still firing');

    // Storm 2 starts and edits its own digest before anything is delivered.
    await accept(3, 'firing', '10:04:00');
    await accept(4, 'firing', '10:04:01');
    await accept(5, 'firing', '10:04:02');
    expect((await store.getNotification(owed.id))?.status).toBe('pending');
    const edited = await deliverAll(store);
    expect(edited.get(owed.id)).toBe(`${post1.id}.000100`);
    expect((await digestPost('10:04')).groupId).not.toBe(post1.groupId);
  });
}

await onBothStores('a storm’s digest after the next storm started', earlierStormCases);
