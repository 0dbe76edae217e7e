/**
 * An ownership change undone while the alert still fires (a namespace handed to another team and
 * back, a team's routes file deleted by mistake and restored), against both stores. Moving the
 * alert away left a resolved copy in the first owner's group; moving it back must not read that
 * copy as newer than the firing alert, as a stale copy from an Alertmanager HA peer would be: the
 * first owner is paged again, and Alertmanager's later notifications of the alert are duplicates.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paymentsTeam } from '../config/team-config.case.js';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import type { IncomingNotification, Labels } from '../model/alert.js';
import type { NotificationRecord, Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { acceptNotification } from './accept.js';
import { reattributeFiring } from './reattribute.js';

const at = (time: string) => new Date(`2026-11-27T${time}Z`);

function routing(...teams: TeamConfig[]): RoutingConfig {
  return { teams: new Map(teams.map((t) => [t.team, t])), fallbackTeam: 'platform' };
}
const platform = paymentsTeam({ team: 'platform', file: 'routes/platform.yaml', slack: { channel: '#platform-alerts' } });
/** payments pages and posts every alert it owns. */
const payments = (...namespaces: string[]) =>
  paymentsTeam({
    owns: { namespaces, matchers: [] },
    pagerduty: { routingKeyEnv: 'PD_PAYMENTS_KEY' },
    routes: [{ index: 0, matchers: [], receivers: ['pagerduty', 'slack'], continue: false }],
  });
const prisons = (...namespaces: string[]) =>
  paymentsTeam({ team: 'prisons', file: 'routes/prisons.yaml', owns: { namespaces, matchers: [] }, slack: { channel: '#prisons-alerts' } });

/** Alertmanager's notification of one alert, firing since 09:59 (a resend carries the same startsAt). */
function oneAlert(alertname: string, labels: Labels): IncomingNotification {
  return {
    receiver: 'alertgate',
    status: 'firing',
    groupKey: `{}:{alertname="${alertname}"}`,
    groupLabels: { alertname },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    truncatedAlerts: 0,
    alerts: [{ fingerprint: 'f1', status: 'firing', labels: { alertname, ...labels }, annotations: {}, startsAt: '2026-11-27T09:59:00Z', endsAt: null, generatorURL: '' }],
  };
}

/** Where notifications go and what they say: [target, kind, status]. */
const said = (ns: readonly NotificationRecord[]) =>
  ns.map((n) => [n.target.type === 'slack' ? n.target.channel : `pagerduty:${n.target.team}`, n.kind, n.status]).sort();
/** The notifications decided since the one with id `after`. */
const notificationsSince = async (store: Store, after: number) => (await store.listNotifications({ limit: 100 })).items.filter((n) => n.id > after);
const lastNotificationId = async (store: Store) => (await store.listNotifications({ limit: 1 })).items[0]?.id ?? 0;
/** The teams the alert lists show firing alerts of. */
const firingTeams = async (store: Store) => (await store.listAlerts({ status: 'firing', limit: 100 })).items.map((a) => a.team);

function undoneCases(newStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(() => store.close());

  describe('payments-staging handed from payments to prisons, and back', () => {
    const shipped = routing(payments('payments-prod', 'payments-staging'), prisons('prisoner-offender-search-prod'), platform);
    const handedOver = routing(payments('payments-prod'), prisons('prisoner-offender-search-prod', 'payments-staging'), platform);
    const diskFull = oneAlert('DiskFull', { namespace: 'payments-staging' });

    beforeEach(async () => {
      await acceptNotification(store, shipped, diskFull, { now: () => at('10:00:00') });
      expect((await reattributeFiring(store, handedOver, { now: () => at('10:05:00') })).moves).toEqual({ 'payments → prisons': 1 });
      expect(await firingTeams(store)).toEqual(['prisons']);
    });

    it('pages payments again, and takes Alertmanager’s next notification of the alert as a duplicate', async () => {
      const handedBack = await lastNotificationId(store);
      expect((await reattributeFiring(store, shipped, { now: () => at('10:10:00') })).moves).toEqual({ 'prisons → payments': 1 });
      expect(said(await notificationsSince(store, handedBack))).toEqual([
        ['#payments-alerts', 'new', 'pending'],
        ['#prisons-alerts', 'resolved', 'pending'],
        ['pagerduty:payments', 'new', 'pending'],
      ]);
      expect(await firingTeams(store)).toEqual(['payments']);

      const { notifications } = await acceptNotification(store, shipped, diskFull, { now: () => at('10:15:00') });
      expect(notifications.map((n) => [n.kind, n.status, n.reason])).toEqual([
        ['repeat', 'suppressed', 'duplicate within dedup window 1h'],
        ['repeat', 'suppressed', 'duplicate within dedup window 1h'],
      ]);
      expect(await firingTeams(store)).toEqual(['payments']);
    });

    it('pages payments again even when Alertmanager’s resend reaches payments before the pass', async () => {
      // The resend finds payments' resolved copy: on its own it cannot tell that copy from a stale one.
      const { notifications } = await acceptNotification(store, shipped, diskFull, { now: () => at('10:10:00') });
      expect(notifications.map((n) => [n.kind, n.status, n.reason])).toEqual([
        ['resolved', 'suppressed', 'already notified as resolved'],
        ['resolved', 'suppressed', 'already notified as resolved'],
      ]);
      const resent = await lastNotificationId(store);
      expect((await reattributeFiring(store, shipped, { now: () => at('10:10:01') })).moves).toEqual({ 'prisons → payments': 1 });
      expect(said(await notificationsSince(store, resent))).toEqual([
        ['#payments-alerts', 'new', 'pending'],
        ['#prisons-alerts', 'resolved', 'pending'],
        ['pagerduty:payments', 'new', 'pending'],
      ]);
      expect(await firingTeams(store)).toEqual(['payments']);
    });
  });

  it('a team’s routes file deleted by mistake and restored: its alert comes back to it from the fallback team', async () => {
    const withPayments = routing(payments('payments-prod'), platform);
    const withoutPayments = routing(platform);
    const errors = oneAlert('HighErrorRate', { namespace: 'payments-prod', team: 'payments' });
    await acceptNotification(store, withPayments, errors, { now: () => at('10:00:00') });
    expect((await reattributeFiring(store, withoutPayments, { now: () => at('10:05:00') })).moves).toEqual({ 'payments → platform': 1 });

    const restored = await lastNotificationId(store);
    expect((await reattributeFiring(store, withPayments, { now: () => at('10:10:00') })).moves).toEqual({ 'platform → payments': 1 });
    expect(said(await notificationsSince(store, restored))).toEqual([
      ['#payments-alerts', 'new', 'pending'],
      ['#platform-alerts', 'resolved', 'pending'],
      ['pagerduty:payments', 'new', 'pending'],
    ]);
    expect(await firingTeams(store)).toEqual(['payments']);
  });
}

await onBothStores('an ownership change undone while the alert fires', undoneCases);
