/**
 * storm.holdPagerDuty at a storm's end (storm/held-pages.ts), against both stores: the pass that
 * ends the storm queues the pages of the gathered groups still firing that never paged, in its own
 * write. Two passes racing at the end (two replicas' tickers, on one PostgreSQL database) queue
 * them once; a gathered group whose episode already paged is not paged again.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import { parseMatchers } from '../config/matchers.js';
import type { RoutingConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { acceptNotification } from '../pipeline/accept.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { oneAlertGroup } from './one-alert-group.case.js';
import { PAGE_BATCH } from './held-pages.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState } from '../maintenance/state.js';
import { releaseHeld } from '../maintenance/release.js';
import { tickStorms } from './storm-ticker.js';

const at = (time: string) => new Date(`2026-11-27T${time}Z`);
const logger = createLogger({ level: 'error', write: () => undefined });
/** Every payments group goes to Slack and pages; a second new group within the minute is gathered. */
const payments = (holdPagerDuty: boolean): RoutingConfig =>
  routingOf(
    paymentsTeam({
      storm: { maxMessagesPerMinute: 1, holdPagerDuty },
      pagerduty: { routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' },
      routes: [{ index: 0, matchers: [], receivers: ['slack', 'pagerduty'], continue: false }],
    }),
  );
const holding = payments(true);

const accept = (store: Store, config: RoutingConfig, i: number, status: 'firing' | 'resolved', time: string, where?: string) =>
  acceptNotification(store, config, oneAlertGroup(i, status, { resolvedAt: '2026-11-27T10:00:30Z', ...(where ? { labels: { where } } : {}) }), { now: () => at(time) });
/** As `holding`, but a group labelled where="a", "b" or "both" goes to #payments-a, #payments-b or both (and pages). */
const twoChannels = routingOf(
  paymentsTeam({
    storm: { maxMessagesPerMinute: 1, holdPagerDuty: true },
    pagerduty: { routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' },
    routes: [
      { index: 0, matchers: [parseMatchers('where=~"a|both"')], receivers: ['slack', 'pagerduty'], slackChannel: '#payments-a', continue: true },
      { index: 1, matchers: [parseMatchers('where=~"b|both"')], receivers: ['slack', 'pagerduty'], slackChannel: '#payments-b', continue: false },
    ],
  }),
);
const tick = (store: Store, config: RoutingConfig, time: string) => tickStorms({ store, config: () => config, logger, now: () => at(time) });

/** The PagerDuty items queued, oldest first, as alertname:kind:status; those `from` the n-th on sorted (one write's, in no set order). */
async function pages(store: Store, from = Infinity): Promise<string[]> {
  const items = (await store.listNotifications({ limit: 100 })).items.filter((n) => n.target.type === 'pagerduty');
  const listed = items.reverse().map((n) => `${n.snapshot.groupLabels.alertname}:${n.kind}:${n.status}`);
  return [...listed.slice(0, from), ...listed.slice(from).sort()];
}

/** `store`, whose reads of the groups a storm of `channel` gathered fail (as a statement timeout would). */
function failingStormReads(store: Store, channel: string): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'stormGroupIds') {
        return (...args: Parameters<Store['stormGroupIds']>) => (args[1] === channel ? Promise.reject(new Error('canceling statement due to statement timeout')) : target.stormGroupIds(...args));
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The storm's end, announced (the digest's closing edit replies in its thread). */
async function endsAnnounced(store: Store): Promise<number> {
  const items = (await store.listNotifications({ limit: 1000 })).items;
  return items.filter((n) => n.kind === 'resolved' && (n.snapshot.message?.text.includes('storm over') ?? false)).length;
}

await onBothStores('held pages at the end of a storm', (newStore) => {
  let store: Store;
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(() => store.close());

  it('two passes racing at the end queue each held page once, with the end announced once', async () => {
    await accept(store, holding, 1, 'firing', '10:00:00');
    await accept(store, holding, 2, 'firing', '10:00:01');
    await accept(store, holding, 3, 'firing', '10:00:02');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed']);
    await Promise.all([tick(store, holding, '10:01:10'), tick(store, holding, '10:01:10')]);
    expect(await pages(store, 3)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed', 'A2:new:pending', 'A3:new:pending']);
    expect(await endsAnnounced(store)).toBe(1);
    // A later pass finds the storm over: nothing more.
    expect(await tick(store, holding, '10:02:10')).toBe(0);
  });

  it('a gathered group whose episode paged (the team held no pages then) is not paged again at the end', async () => {
    // A2 is gathered before a reload turns holdPagerDuty on: its page went out. A3's is held.
    await accept(store, payments(false), 1, 'firing', '10:00:00');
    await accept(store, payments(false), 2, 'firing', '10:00:01');
    await accept(store, holding, 3, 'firing', '10:00:02');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:pending', 'A3:new:suppressed']);
    await tick(store, holding, '10:01:10');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:pending', 'A3:new:suppressed', 'A3:new:pending']);
    // A3's page at the end made PagerDuty one of its episode's targets: its resolution goes there.
    await accept(store, holding, 3, 'resolved', '10:02:00');
    expect((await pages(store)).at(-1)).toBe('A3:resolved:pending');
  });

  it('a storm that gathered more groups than one write pages pays them a batch per write; a pass cut short after the end leaves the rest owed to the next', async () => {
    const gathered = PAGE_BATCH * 2 + 30;
    await accept(store, holding, 0, 'firing', '10:00:00');
    for (let i = 1; i <= gathered; i++) await accept(store, holding, i, 'firing', '10:00:01');
    // Shut down right after the write that ends the storm (its first batch paid).
    const shutdown = new AbortController();
    await tickStorms({ store, config: () => holding, logger, now: () => at('10:01:10'), onEnded: () => shutdown.abort() }, shutdown.signal);
    const paid = async () => (await store.listNotifications({ limit: 1000 })).items.filter((n) => n.target.type === 'pagerduty' && n.status === 'pending' && n.snapshot.groupLabels.alertname !== 'A0');
    expect(await paid()).toHaveLength(PAGE_BATCH);
    // The storm is over, its pages still owed: the state stays where the ticker finds it.
    expect(await store.activeStormIds()).toHaveLength(1);
    expect(await endsAnnounced(store)).toBe(1);

    await tick(store, holding, '10:01:15');
    const names = (await paid()).map((n) => n.snapshot.groupLabels.alertname);
    expect(names).toHaveLength(gathered);
    expect(new Set(names).size).toBe(gathered);
    expect(await store.activeStormIds()).toEqual([]);
    expect(await tick(store, holding, '10:01:20')).toBe(0);
    expect(await endsAnnounced(store)).toBe(1);
  });

  it('a page due at the end of the storm for a group a maintenance window covers waits for the window, and is sent then if still firing', async () => {
    // A2: an API window (the team's stored state) until 10:30; A3: a routes/ window until 10:20, both opened mid-storm; A4: none.
    const windowed = routingOf({ ...holding.teams.get('payments')!, maintenance: [{ reason: 'routes window', start: at('10:00:30').toISOString(), end: at('10:20:00').toISOString(), matchers: [parseMatchers('alertname="A3"')] }] });
    for (let i = 1; i <= 4; i++) await accept(store, windowed, i, 'firing', `10:00:0${i}`);
    const stateId = maintenanceStateId('payments');
    const apiWindow = { id: 'payments.w1', team: 'payments', matchers: ['alertname="A2"'], start: at('10:00:30').toISOString(), end: at('10:30:00').toISOString(), reason: 'api window', createdAt: at('10:00:30').toISOString() };
    await store.updateGroups([stateId], (current) => [{ group: maintenanceRecord('payments', { ...readMaintenanceState(current.get(stateId)), windows: [apiWindow] }, current.get(stateId), at('10:00:30')), notifications: [] }]);
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed', 'A4:new:suppressed']);

    const released: number[] = [];
    await tickStorms({ store, config: () => windowed, logger, now: () => at('10:01:10'), onPagesReleased: (_team, n) => released.push(n) });
    expect(await pages(store, 4)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed', 'A4:new:suppressed', 'A2:new:suppressed', 'A3:new:suppressed', 'A4:new:pending']);
    // alertgate_storm_pages_released_total counts the page queued, not the two a window holds.
    expect(released).toEqual([1]);
    expect((await store.getGroup((await store.listNotifications({ limit: 100 })).items.find((n) => n.snapshot.groupLabels.alertname === 'A2')!.groupId))?.heldUntil).toBe(at('10:30:00').getTime());
    // A3 resolves inside its window: nothing is paged for it.
    await accept(store, windowed, 3, 'resolved', '10:10:00');
    expect(await releaseHeld(store, windowed, 'payments', at('10:20:00'))).toBe(0);
    expect(await releaseHeld(store, windowed, 'payments', at('10:29:59'))).toBe(0);
    const before = (await pages(store)).length;
    // A2's window ends with it still firing: paged then, once.
    expect(await releaseHeld(store, windowed, 'payments', at('10:30:00'))).toBeGreaterThan(0);
    expect((await pages(store)).slice(before)).toEqual(['A2:new:pending']);
    expect(await releaseHeld(store, windowed, 'payments', at('10:30:05'))).toBe(0);
    expect(await tick(store, windowed, '10:30:10')).toBe(0);
    expect((await pages(store)).slice(before)).toEqual(['A2:new:pending']);
  });

  it("a storm whose gathered groups cannot be read still ends, its pages owed to a later pass; other channels' storms end and page as usual", async () => {
    await accept(store, twoChannels, 1, 'firing', '10:00:00', 'a');
    await accept(store, twoChannels, 2, 'firing', '10:00:01', 'a');
    await accept(store, twoChannels, 3, 'firing', '10:00:02', 'b');
    await accept(store, twoChannels, 4, 'firing', '10:00:03', 'b');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:pending', 'A4:new:suppressed']);
    const warnings: string[] = [];
    const warned = createLogger({ level: 'warn', write: (line) => warnings.push(line) });
    await tickStorms({ store: failingStormReads(store, '#payments-b'), config: () => twoChannels, logger: warned, now: () => at('10:01:10') });
    expect(await endsAnnounced(store)).toBe(2);
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:pending', 'A4:new:suppressed', 'A2:new:pending']);
    expect(warnings.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([{ level: 'warn', team: 'payments', channel: '#payments-b' }]);
    // The store answers again: the next pass pays what #payments-b's storm owes.
    await tick(store, twoChannels, '10:01:15');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:pending', 'A4:new:suppressed', 'A2:new:pending', 'A4:new:pending']);
    expect(await store.activeStormIds()).toEqual([]);
  });

  it("a group two channels' storms gathered pages when the second of them ends, not before", async () => {
    // A1 has its own messages in both channels; A2 is gathered by both storms, A3 by #payments-a's only, which it keeps going.
    await accept(store, twoChannels, 1, 'firing', '10:00:00', 'both');
    await accept(store, twoChannels, 2, 'firing', '10:00:01', 'both');
    await accept(store, twoChannels, 3, 'firing', '10:00:30', 'a');
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed']);
    // #payments-b's storm ends: A2's page is still held by #payments-a's.
    await tick(store, twoChannels, '10:01:10');
    expect(await endsAnnounced(store)).toBe(1);
    expect(await pages(store)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed']);
    await tick(store, twoChannels, '10:01:40');
    expect(await endsAnnounced(store)).toBe(2);
    expect(await pages(store, 3)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed', 'A2:new:pending', 'A3:new:pending']);
  });
});

const admin = await requirePostgres();
describe.skipIf(!admin)('held pages at the end of a storm: two replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let replicas: Store[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    const url = await createTestSchema(db.url, 'replicas');
    replicas = [await openPostgresStore(url), await openPostgresStore(url)];
  });
  afterEach(async () => {
    for (const r of replicas) await r.close();
  });

  it("both replicas' tickers at the storm's end: each held page is queued once", async () => {
    const [a, b] = replicas as [Store, Store];
    await accept(a, holding, 1, 'firing', '10:00:00');
    await accept(b, holding, 2, 'firing', '10:00:01');
    await accept(a, holding, 3, 'firing', '10:00:02');
    await Promise.all([tick(a, holding, '10:01:10'), tick(b, holding, '10:01:10')]);
    expect(await pages(a, 3)).toEqual(['A1:new:pending', 'A2:new:suppressed', 'A3:new:suppressed', 'A2:new:pending', 'A3:new:pending']);
    expect(await endsAnnounced(b)).toBe(1);
  });
});
