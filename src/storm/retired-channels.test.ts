/**
 * A storm in a channel the config stops naming (its team removed, or its channel changed) while
 * the storm goes on, against both stores: the gathered groups' resolutions still fold into the
 * channel's digest (its state is locked by the decisions that reach it, never read as empty and
 * written back), and the storm ticker, even a new process's (Store.activeStormIds), still ends
 * the storm and closes the digest.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { paymentsTeam } from '../config/team-config.case.js';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { acceptNotification } from '../pipeline/accept.js';
import { releaseHeld } from '../maintenance/release.js';
import { reattributeFiring } from '../pipeline/reattribute.js';
import type { NotificationRecord, Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { oneAlertGroup } from './one-alert-group.case.js';
import { channelGroupId, readChannelState } from './channel-state.js';
import { FOLDED_REASON } from './storm-control.js';
import { tickStorms } from './storm-ticker.js';

const at = (time: string) => new Date(`2026-11-27T${time}Z`);
const OLD_CHANNEL = '#payments-alerts';
const oldChannelId = channelGroupId('payments', OLD_CHANNEL);

function routing(...teams: TeamConfig[]): RoutingConfig {
  return { teams: new Map(teams.map((t) => [t.team, t])), fallbackTeam: 'platform' };
}
const platform = paymentsTeam({ team: 'platform', file: 'routes/platform.yaml', slack: { channel: '#platform-alerts' } });
const payments = (channel: string) =>
  paymentsTeam({ owns: { namespaces: ['payments-prod'], matchers: [] }, slack: { channel }, storm: { maxMessagesPerMinute: 1, holdPagerDuty: false } });
/** Before: payments posts to #payments-alerts, one new message a minute before a storm. */
const before = routing(payments(OLD_CHANNEL), platform);

const group = (i: number, status: 'firing' | 'resolved') => oneAlertGroup(i, status, { labels: { namespace: 'payments-prod' }, resolvedAt: '2026-11-27T10:00:20Z' });

const logger = createLogger({ level: 'error', write: () => undefined });
/** A storm ticker's pass as a process started now would run it (nothing remembered). */
const tick = (store: Store, config: RoutingConfig, now: Date) => tickStorms({ store, config: () => config, logger, now: () => now });
const oldState = async (store: Store) => readChannelState(await store.getGroup(oldChannelId));
const toOldChannel = (ns: readonly NotificationRecord[]) => ns.filter((n) => n.target.type === 'slack' && n.target.channel === OLD_CHANNEL);

function retiredChannelCases(newStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await newStore();
    // g1 gets its own message; g2 and g3 are gathered into the digest of a storm that goes on.
    for (const [i, time] of [[1, '10:00:00'], [2, '10:00:01'], [3, '10:00:02']] as const) {
      await acceptNotification(store, before, group(i, 'firing'), { now: () => at(time) });
    }
    // The ticker looked at the channel while the config named it.
    expect(await tick(store, before, at('10:00:10'))).toBe(0);
    expect(await oldState(store)).toMatchObject({ active: true, tally: { groups: 2, firing: 2 } });
  });
  afterEach(() => store.close());

  it('channel changed: a gathered group’s resolution folds into the old channel’s digest; the storm ends there', async () => {
    const after = routing(payments('#payments-oncall'), platform);
    const { notifications } = await acceptNotification(store, after, group(2, 'resolved'), { now: () => at('10:00:20') });
    expect(toOldChannel(notifications).map((n) => [n.groupId === oldChannelId ? 'digest' : 'group', n.kind, n.status, n.reason])).toEqual([
      ['group', 'resolved', 'suppressed', FOLDED_REASON],
      ['digest', 'changed', 'pending', null],
    ]);
    expect(await oldState(store)).toMatchObject({ active: true, tally: { groups: 2, firing: 1 } });

    // A quiet minute after the last group gathered.
    expect(await tick(store, after, at('10:01:03'))).toBe(1);
    expect(await oldState(store)).toMatchObject({ active: false, tally: { firing: 1 } });
    const closing = (await store.listNotifications({ limit: 1 })).items[0]!;
    expect([closing.groupId, closing.kind, closing.snapshot.message?.text]).toEqual([oldChannelId, 'resolved', expect.stringContaining('Alert storm over in #payments-alerts')]);
    // Not looked at once its storm is over.
    expect(await store.activeStormIds()).not.toContain(oldChannelId);
    expect(await tick(store, after, at('10:02:10'))).toBe(0);
  });

  it('channel changed under a maintenance window: the held change of a group announced in the old channel is released there, its storm state kept', async () => {
    const window = { reason: 'patching', start: at('10:00:10').toISOString(), end: at('10:00:30').toISOString(), matchers: [] };
    const after = routing({ ...payments('#payments-oncall'), maintenance: [window] }, platform);
    const changed = group(1, 'firing');
    changed.alerts.push({ ...changed.alerts[0]!, fingerprint: 'f1b', labels: { alertname: 'A1', namespace: 'payments-prod', pod: 'b' } });
    const { notifications: held } = await acceptNotification(store, after, changed, { now: () => at('10:00:20') });
    expect(held.map((n) => n.status)).toEqual(['suppressed', 'suppressed']);

    expect(await releaseHeld(store, after, 'payments', at('10:00:30'))).toBe(2);
    const released = (await store.listNotifications({ status: 'pending', limit: 100 })).items.filter((n) => n.groupId !== oldChannelId && n.kind === 'changed');
    expect(released.map((n) => (n.target.type === 'slack' ? n.target.channel : '')).sort()).toEqual(['#payments-alerts', '#payments-oncall']);
    expect(await oldState(store)).toMatchObject({ active: true, tally: { groups: 2, firing: 2 } });
  });

  it('team removed: its groups move to the fallback team, their resolutions fold into the digest; the storm ends', async () => {
    const after = routing(platform);
    const moved = await reattributeFiring(store, after, { now: () => at('10:00:20') });
    expect(moved.moves).toEqual({ 'payments → platform': 3 });
    const sent = (await store.listNotifications({ limit: 100 })).items;
    // g1's own message is edited; g2 and g3 are folded into the digest, which shows none firing.
    expect(await oldState(store)).toMatchObject({ active: true, tally: { groups: 2, firing: 0 } });
    expect(toOldChannel(sent).filter((n) => n.kind === 'resolved').map((n) => n.status).sort()).toEqual(['pending', 'suppressed', 'suppressed']);
    // The fallback team hears of each group with a message of its own (under its own storm limit).
    const fallback = sent.filter((n) => n.target.type === 'slack' && n.target.channel === '#platform-alerts');
    expect(fallback.map((n) => [n.kind, n.status])).toEqual([['new', 'pending'], ['new', 'pending'], ['new', 'pending']]);

    expect(await tick(store, after, at('10:01:03'))).toBe(1);
    expect(await oldState(store)).toMatchObject({ active: false, tally: { groups: 2, firing: 0 } });
  });
}

await onBothStores('storms in channels the config no longer names', retiredChannelCases);
