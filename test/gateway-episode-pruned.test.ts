/**
 * A group's first episode had a Slack message of its own (posted, edited to RESOLVED), and
 * HISTORY_RETENTION has since deleted that episode's deliveries, while the group was kept (its
 * next episode had begun: a storm digest gathered it). No delivery of the group to the channel is
 * left to say which episode the kept message is of; the new episode's gathered (suppressed) `new`
 * says it began after it. Its first change after the storm must post a message of its own, not
 * edit the first episode's RESOLVED one (it did before, as the new episode's first message had
 * not gone out and no dead item lay between). Through the real HTTP app, storm control, the
 * retention pass and the outbox, on SQLite and on PostgreSQL; fake Slack on loopback. The
 * retention pass is run with its clock a day on: HISTORY_RETENTION is a day at least.
 */
import { afterAll, expect, it } from 'vitest';
import { MIN_RETENTION_MS, pruneHistoryPass } from '../src/retention/history-pruner.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { secondEpisode, shows, untouched, useEpisodeGateway } from './support/episode-gateway.js';
import { waitUntil } from './support/gateway.js';

const { start, checkoutItems, checkoutMessages, post, idle, store, firstEpisodeMessage, secondEpisodeGatheredByStorm } = useEpisodeGateway('alertgate-episode-pruned-');

const admin = await requirePostgres();
const databases: TestDatabase[] = [];
// After every test's gateway closed (useEpisodeGateway closes it after each).
afterAll(async () => {
  for (const db of databases) await db.drop();
});

const stores: [string, () => Promise<Record<string, string>>][] = [
  ['SQLite', async () => ({})],
  ...(admin
    ? [['PostgreSQL', async () => {
        const db = await createTestDatabase(admin);
        databases.push(db);
        return { DATABASE_URL: db.url };
      }] as [string, () => Promise<Record<string, string>>]]
    : []),
];

it.each(stores)('on %s, a new episode gathered after retention deleted the last episode’s deliveries posts a message of its own', async (_store, storeEnv) => {
  await start({ storm: true, env: await storeEnv() });
  const first = await firstEpisodeMessage();
  // Retention will take what was created up to now: the first episode's post and resolution.
  const firstItems = await checkoutItems();
  const cut = Math.max(...firstItems.map((n) => Date.parse(n.createdAt))) + 1;
  await waitUntil(() => Date.now() > cut, 1000, 'the clock to pass the cut');

  // The group fires again in a storm: gathered into the digest.
  await secondEpisodeGatheredByStorm();

  // A day later, the retention pass deletes the first episode's deliveries; the group is firing, so kept.
  const pruned = await pruneHistoryPass({ store: store(), retentionMs: MIN_RETENTION_MS, now: () => new Date(cut + MIN_RETENTION_MS) });
  expect(pruned.notifications).toBeGreaterThanOrEqual(firstItems.length);
  expect((await checkoutItems()).map((n) => [n.kind, n.status])).toEqual([['new', 'suppressed']]);

  // It changes after the storm: a message of its own, showing it firing; the first one as it was.
  await post(secondEpisode('firing', true));
  await idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'changed', status: 'sent' });
  expect(checkoutMessages()).toHaveLength(2);
  untouched(first);
  const own = checkoutMessages()[1]!;
  expect(shows(own)).toContain('FIRING');
  expect(shows(own)).toContain('checkout-2');

  // Its resolution edits that message.
  await post(secondEpisode('resolved', true));
  await idle();
  expect(own.edits).toBe(1);
  expect(shows(own)).toContain('RESOLVED');
  untouched(first);
});
