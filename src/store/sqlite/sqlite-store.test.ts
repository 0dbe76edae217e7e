/**
 * The SQLite store: the shared contract (in memory and on a file), plus what only SQLite has —
 * pragmas, persistence across reopen, several connections on one file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification, only } from '../contract/fixtures.case.js';
import { LEASE_RAN_OUT } from '../../model/post-notes.js';
import { runStoreContract } from '../store.case.js';
import type { GroupRecord, Store } from '../store.js';
import { BUSY_TIMEOUT_MS, READER_CACHE_KIB, WRITER_CACHE_KIB, openDatabase } from './connection.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { OLDEST_WAITING_CREATED_AT, SELECT_NEWER_THAN_DEAD, SELECT_OWED_TARGETS, SELECT_STORM_GROUP_IDS } from './queries.js';
import { openSqliteStore } from './sqlite-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertgate-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite in memory', async ({ now }) => openSqliteStore(':memory:', { now }));
runStoreContract('sqlite file', async ({ now }) => openSqliteStore(join(dir, 'contract.db'), { now }));

describe('sqlite store', () => {
  it('opens connections with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(join(dir, 'pragmas.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    } finally {
      db.close();
    }
  });

  it('gives a connection the page cache it is opened with (readers 2 MiB, the writer 8 MiB), SQLite default otherwise', () => {
    const file = join(dir, 'cache.db');
    const sizes = [READER_CACHE_KIB, WRITER_CACHE_KIB, undefined].map((cacheKiB) => {
      const db = openDatabase(file, cacheKiB === undefined ? {} : { cacheKiB });
      try {
        return db.pragma('cache_size', { simple: true });
      } finally {
        db.close();
      }
    });
    // Negative: KiB rather than pages. better-sqlite3's build defaults to 16,000 KiB.
    expect(sizes).toEqual([-2048, -8192, -16000]);
  });

  it('leaves the database file in WAL mode for every later connection', async () => {
    const file = join(dir, 'wal.db');
    await openSqliteStore(file).close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('an alert-less state group counts every concurrent update, in memory and after a reopen', async () => {
    // Storm and maintenance state live in alert-less groups that every webhook reads and
    // rewrites; the store keeps their committed state in memory. No update may be lost between
    // "in flight", "committed" and "stored", nor may a group that gains alerts be served stale.
    const file = join(dir, 'state.db');
    const bump = (store: Store, alerts: ReturnType<typeof alert>[] = []) =>
      store.updateGroups(['state'], (current) => {
        const prev = current.get('state');
        const count = Number(prev?.commonAnnotations.count ?? 0) + 1;
        return [{ group: group('state', { alerts, commonAnnotations: { count: String(count) } }), notifications: [] }];
      });
    const first = openSqliteStore(file);
    await Promise.all(Array.from({ length: 50 }, () => bump(first)));
    await bump(first);
    await Promise.all(Array.from({ length: 20 }, () => bump(first)));
    expect((await first.getGroup('state'))?.commonAnnotations.count).toBe('71');
    await bump(first, [alert('a')]);
    expect((await first.getGroup('state'))?.alerts.map((a) => a.fingerprint)).toEqual(['a']);
    await bump(first);
    expect(await first.getGroup('state')).toMatchObject({ alerts: [], commonAnnotations: { count: '73' } });
    await first.close();

    const second = openSqliteStore(file);
    try {
      expect(await second.getGroup('state')).toMatchObject({ alerts: [], commonAnnotations: { count: '73' } });
      await bump(second);
      expect((await second.getGroup('state'))?.commonAnnotations.count).toBe('74');
    } finally {
      await second.close();
    }
  });

  it('keeps groups, the outbox and Slack refs across a reopen', async () => {
    const file = join(dir, 'reopen.db');
    const g = group('g1', { alerts: [alert('a'), alert('b', 'resolved')], targets: [SLACK, PAGERDUTY], notifiedHash: 'h' });
    const first = openSqliteStore(file);
    const [post, page] = await enqueue(first, g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
    const claimed = await first.claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 60_000 });
    expect(claimed).toHaveLength(2);
    await first.markSent(post?.id ?? -1, { claim: claimed.find((n) => n.id === post?.id)?.claim ?? -1, owner: 'w1', sentAt: later(), slackRef: { channel: 'C1', ts: '1.2' } });
    await first.close();

    const second = openSqliteStore(file);
    try {
      expect(await second.getGroup('g1')).toEqual(g);
      expect((await second.getNotification(post?.id ?? -1))?.status).toBe('sent');
      expect(await second.getSlackRef('g1', SLACK.channel)).toEqual({ channel: 'C1', ts: '1.2' });
      expect(await second.outboxDepth()).toBe(1);
      // The unfinished claim survived the "crash" and, since the embedded store serves one
      // process, its dead owner's lease is released at open: claimable at once.
      const rescued = only(await second.claimDue({ owner: 'w2', now: later(), limit: 10, leaseMs: 60_000 }));
      expect(rescued).toMatchObject({ id: page?.id, attempts: 2 });
      const [next] = await enqueue(second, g, [notification(g, PAGERDUTY, { kind: 'changed' })]);
      expect(next?.id).toBeGreaterThan(page?.id ?? Infinity);
    } finally {
      await second.close();
    }
  });

  it('upgrades a database of schema 3 at open: its queues keep their order, its Slack refs and alerts stay found', async () => {
    const file = join(dir, 'schema3.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(`
      INSERT INTO groups (id, team, group_key, receiver, external_url, group_labels, common_labels, common_annotations,
        status, notified_hash, notified_at, targets, created_at, updated_at)
      VALUES ('g1', 'payments', '{}:{alertname="A"}', 'alertgate', '', '{}', '{}', '{}', 'firing', 'h', '2026-10-01T10:00:00.000Z',
        '[{"type":"slack","channel":"#c"}]', '2026-10-01T10:00:00.000Z', '2026-10-01T10:00:00.000Z');
      INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
      VALUES ('g1', 'f1', 0, 'payments', 'firing', '{"alertname":"A"}', '{}', '2026-10-01T10:00:00Z', NULL, '', 1);
      INSERT INTO slack_messages (group_id, channel, ref_channel, ts, created_at, updated_at) VALUES ('g1', '#c', 'C1', '1.2', 1, 1);
    `);
    // Two undelivered items of one (group, target) queue: the newer waits for the older.
    const enqueueOld = old.prepare(
      `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES ('g1', 'payments', '{"type":"slack","channel":"#c"}', 'slack:#c', ?, 'pending', 0, 1, 1)`,
    );
    for (const kind of ['changed', 'resolved']) {
      const id = Number(enqueueOld.run(kind).lastInsertRowid);
      old.prepare('INSERT INTO notification_snapshots (id, snapshot) VALUES (?, ?)').run(id, JSON.stringify({ kind }));
    }
    old.close();

    const store = openSqliteStore(file);
    try {
      expect((await store.getGroup('g1'))?.alerts.map((a) => a.fingerprint)).toEqual(['f1']);
      expect(await store.getSlackRef('g1', '#c')).toEqual({ channel: 'C1', ts: '1.2' });
      const first = only(await store.claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: 60_000 }));
      expect(first).toMatchObject({ id: 1, kind: 'changed' });
      await store.markSent(first.id, { claim: first.claim, owner: 'w', sentAt: later(), slackRef: { channel: 'C1', ts: '1.3' } });
      expect(only(await store.claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: 60_000 }))).toMatchObject({ id: 2, kind: 'resolved' });
      expect(await store.getSlackRef('g1', '#c')).toEqual({ channel: 'C1', ts: '1.3' });
    } finally {
      await store.close();
    }
  });

  it('a Slack post leased when the process died is released at open with the note that it may have been posted; a page is not', async () => {
    const file = join(dir, 'died-posting.db');
    const g = group('g1', { targets: [SLACK, PAGERDUTY] });
    const first = openSqliteStore(file);
    const [post, page] = await enqueue(first, g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
    expect(await first.claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 60_000 })).toHaveLength(2);
    await first.close();

    const second = openSqliteStore(file);
    try {
      const rescued = await second.claimDue({ owner: 'w2', now: later(), limit: 10, leaseMs: 60_000 });
      expect(rescued.find((n) => n.id === post?.id)).toMatchObject({ attempts: 2, lastError: LEASE_RAN_OUT });
      expect(rescued.find((n) => n.id === page?.id)).toMatchObject({ attempts: 2, lastError: null });
    } finally {
      await second.close();
    }
  });

  it('after a reopen, a decision sees every group stored before it (the filter of stored ids is loaded at open)', async () => {
    const file = join(dir, 'known.db');
    const first = openSqliteStore(file);
    const ids = Array.from({ length: 50 }, (_, i) => `g${i}`);
    for (const id of ids) await enqueue(first, group(id, { alerts: [alert(`a-${id}`)] }));
    await first.close();

    const second = openSqliteStore(file);
    try {
      const seen = [...(await decisionInput(second, [...ids, 'never-stored'])).values()];
      expect(seen.map((g) => g.id).sort()).toEqual([...ids].sort());
      expect(seen.find((g) => g.id === 'g7')?.alerts.map((a) => a.fingerprint)).toEqual(['a-g7']);
    } finally {
      await second.close();
    }
  });

  it('stores a snapshot larger than a page deflated and a small one as JSON; both forms read back', async () => {
    const file = join(dir, 'snapshots.db');
    const store = openSqliteStore(file);
    const small = group('small');
    const big = group('big', { alerts: Array.from({ length: 100 }, (_, i) => alert(`a${i}`, 'firing', { pod: `checkout-${i}-7f9c` })) });
    const [smallNote] = await enqueue(store, small);
    const [bigNote] = await enqueue(store, big);
    await store.close();

    const db = new Database(file);
    const stored = (id: number | undefined): string =>
      (db.prepare('SELECT snapshot FROM notification_snapshots WHERE id = ?').get(id) as { snapshot: string }).snapshot;
    const bigJson = JSON.stringify(bigNote?.snapshot);
    expect(stored(smallNote?.id)).toBe(JSON.stringify(smallNote?.snapshot));
    expect(stored(bigNote?.id)).toMatch(/^deflate:[A-Za-z0-9+/]+=*$/);
    expect(stored(bigNote?.id).length).toBeLessThan(bigJson.length / 5);
    // A large snapshot written as plain JSON (by a version before deflating) still reads.
    db.prepare('UPDATE notification_snapshots SET snapshot = ? WHERE id = ?').run(bigJson, bigNote?.id);
    db.close();

    const reopened = openSqliteStore(file);
    try {
      expect((await reopened.getNotification(bigNote?.id ?? -1))?.snapshot).toEqual(bigNote?.snapshot);
      expect((await reopened.getNotification(smallNote?.id ?? -1))?.snapshot).toEqual(smallNote?.snapshot);
    } finally {
      await reopened.close();
    }
  });

  it('never hands one item to two connections sharing a file', async () => {
    const file = join(dir, 'shared.db');
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    try {
      for (let i = 0; i < 10; i++) await enqueue(i % 2 ? a : b, group(`g${i}`));
      const now = later();
      const claims = await Promise.all([a, b, a, b].map((s, i) => s.claimDue({ owner: `w${i}`, now, limit: 3, leaseMs: 60_000 })));
      const ids = claims.flat().map((n) => n.id);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('stamps new notifications with the injected clock', async () => {
    const now = new Date('2030-05-01T12:00:00.000Z');
    const store = openSqliteStore(':memory:', { now: () => now });
    try {
      const [n] = await enqueue(store, group('g1'));
      expect(n).toMatchObject({ createdAt: now.toISOString(), nextAttemptAt: now.toISOString() });
      expect(await store.claimDue({ owner: 'w', now: new Date(now.getTime() - 1), limit: 1, leaseMs: 1 })).toEqual([]);
      expect(await store.claimDue({ owner: 'w', now, limit: 1, leaseMs: 1 })).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('finds the oldest waiting notification by two seeks into the status index, not by walking or sorting the history', () => {
    const db = openDatabase(join(dir, 'plan.db'));
    try {
      migrate(db);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${OLDEST_WAITING_CREATED_AT}`).all() as { detail: string }[];
      const details = plan.map((p) => p.detail);
      expect(details.filter((d) => d.includes('USING COVERING INDEX notifications_by_status (status=?)'))).toHaveLength(2);
      expect(details).toContain('SEARCH notifications USING INTEGER PRIMARY KEY (rowid=?)');
      expect(details.filter((d) => /^SCAN|TEMP B-TREE/.test(d))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("tells whether a dead notification is the newest of its queue by a seek in each status's index by queue, not by walking the team's notifications after it", () => {
    const db = openDatabase(join(dir, 'plan.db'));
    try {
      migrate(db);
      const plan = (sql: string, params: object) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((p) => p.detail);
      for (const [name, details] of [
        ['owed targets', plan(SELECT_OWED_TARGETS, { ids: '["g"]' })],
        ['newer than dead', plan(SELECT_NEWER_THAN_DEAD, { id: 1 })],
      ] as const) {
        // One range of the queue after the dead item in each index: undelivered, dead, sent.
        for (const index of ['notifications_queue', 'notifications_dead', 'notifications_sent_by_queue']) {
          expect(details.filter((d) => new RegExp(`^SEARCH o USING (COVERING )?INDEX ${index} \\(group_seq=\\? AND target_key=\\? AND id>\\?\\)$`).test(d)), `${name}: ${index}`).toHaveLength(1);
        }
        // The walk of the team's notifications from the dead one (notifications_by_team (team=? AND id>?)), or of all (rowid>?).
        expect(details.filter((d) => /notifications_by_team|notifications_by_status|rowid>|^SCAN (o|d|notifications)\b/.test(d)), name).toEqual([]);
      }
    } finally {
      db.close();
    }
  });

  it("finds a storm's gathered groups in the team's range of the gathered groups' index, from the cursor, not by walking every group's id", () => {
    const db = openDatabase(join(dir, 'plan.db'));
    try {
      migrate(db);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SELECT_STORM_GROUP_IDS}`).all({ team: 'payments', channel: '#c', storm: 1, after: 'a', limit: 101 }) as { detail: string }[];
      // In id order already: no sort.
      expect(plan.map((p) => p.detail)).toEqual(['SEARCH groups USING INDEX groups_storm_digests (team=? AND id>?)']);
    } finally {
      db.close();
    }
  });

  it('writes a group row once per webhook, its last notification id included, exact even after the newest rows were pruned', async () => {
    // Every webhook that queues notifications goes through the single writer: a second write of
    // the group row (to record its last notification id) would cost each one a statement.
    const file = join(dir, 'group-writes.db');
    const store = openSqliteStore(file);
    const raw = new Database(file);
    try {
      raw.exec(`CREATE TABLE group_writes (id TEXT);
        CREATE TRIGGER group_inserted AFTER INSERT ON groups BEGIN INSERT INTO group_writes VALUES (new.id); END;
        CREATE TRIGGER group_updated AFTER UPDATE ON groups BEGIN INSERT INTO group_writes VALUES (new.id); END;`);
      const lastIds = () =>
        Object.fromEntries(
          (raw.prepare('SELECT id, last_notification_id AS last FROM groups').all() as { id: string; last: number | null }[]).map((r) => [r.id, r.last]),
        );
      const quiet = group('quiet', { status: 'resolved', alerts: [alert('q', 'resolved')] });
      // Pruned: the table is empty, but ids are never reused, so the next one is 2, not 1.
      await enqueue(store, quiet, [notification(quiet, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
      expect(await store.pruneHistory({ before: later(), limit: 10 })).toMatchObject({ notifications: 1, groups: 1 });
      const a = group('a');
      const b = group('b');
      const [a1, a2] = await enqueue(store, a, [notification(a, SLACK), notification(a, PAGERDUTY)]);
      expect(a1?.id).toBe(2);
      // One commit for several webhooks (group commit), one of them without notifications.
      const written = await Promise.all([
        enqueue(store, b, [notification(b, SLACK)]),
        enqueue(store, group('c'), []),
        enqueue(store, a, [notification(a, SLACK, { kind: 'changed' })]),
      ]);
      const [b1] = written[0];
      const [a3] = written[2];
      expect(lastIds()).toEqual({ a: a3?.id, b: b1?.id, c: null });
      expect(a3?.id).toBeGreaterThan(a2?.id ?? Infinity);
      // A write of `a` without notifications keeps its last id.
      await enqueue(store, a, []);
      expect(lastIds()).toMatchObject({ a: a3?.id });
      const writes = (raw.prepare('SELECT id, count(*) AS n FROM group_writes GROUP BY id ORDER BY id').all() as { id: string; n: number }[]);
      expect(writes).toEqual([
        { id: 'a', n: 3 },
        { id: 'b', n: 1 },
        { id: 'c', n: 1 },
        { id: 'quiet', n: 1 },
      ]);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('rewrites exactly the alerts a decision changed: order, removals and in-place edits all persist', async () => {
    const store = openSqliteStore(join(dir, 'rows.db'));
    try {
      const g = group('g1', { alerts: [alert('a'), alert('b'), alert('c')] });
      await enqueue(store, g, []);
      // Reordered and one removed: positions move even though the alerts' content did not.
      const reordered = { ...g, alerts: [alert('c'), alert('a')], updatedAt: '2026-10-01T10:05:00.000Z' };
      await enqueue(store, reordered, []);
      expect((await store.getGroup('g1'))?.alerts.map((a) => a.fingerprint)).toEqual(['c', 'a']);
      // A decision that edits the loaded record in place (same objects) is still written.
      await store.updateGroups(['g1'], (current) => {
        const stored = current.get('g1')!;
        stored.alerts[1]!.annotations = { summary: 'edited in place' };
        return [{ group: { ...stored, updatedAt: '2026-10-01T10:10:00.000Z' }, notifications: [] }];
      });
      const after = await store.getGroup('g1');
      expect(after?.alerts.map((a) => [a.fingerprint, a.annotations.summary])).toEqual([
        ['c', 'summary of c'],
        ['a', 'edited in place'],
      ]);
      const listed = await store.listAlerts({ limit: 10 });
      // Only the edited alert's change time moved; the untouched one kept the first write's time.
      // (Both were first stored by the first write: listed by key, the edit moves neither.)
      expect(listed.items.map((a) => [a.fingerprint, a.updatedAt])).toEqual([
        ['c', '2026-10-01T10:00:00.000Z'],
        ['a', '2026-10-01T10:10:00.000Z'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('forgets a group whose write failed: the next decision sees what the database holds', async () => {
    const store = openSqliteStore(join(dir, 'failed-write.db'));
    try {
      const g = group('g1', { alerts: [alert('a')] });
      await enqueue(store, g, []);
      // The group update is fine; the notification points at another group (one that does not
      // exist), so the writer fails the whole call after the group was handed over.
      const resolved = { ...g, status: 'resolved' as const, alerts: [alert('a', 'resolved')], updatedAt: '2026-10-01T10:05:00.000Z' };
      const write = store.updateGroups([g.id], () => [{ group: resolved, notifications: [notification(group('no-such-group'), SLACK)] }]);
      // Until it lands, a decision sees the write in flight...
      const seen = seenByADecision(store, g.id);
      await expect(write).rejects.toThrow(/notification of group no-such-group in the write of group g1/);
      expect((await seen)?.status).toBe('resolved');
      // ...and once it failed, the stored group again.
      expect(await store.getGroup(g.id)).toEqual(g);
      const again = await store.updateGroups([g.id], (current) => [{ group: { ...current.get(g.id)!, notifiedHash: 'h2' }, notifications: [] }]);
      expect(again).toEqual([]);
      expect((await store.getGroup(g.id))?.alerts.map((a) => a.status)).toEqual(['firing']);
    } finally {
      await store.close();
    }
  });

  it('a decision during a write in flight sees that write as it will be stored (createdAt kept)', async () => {
    const store = openSqliteStore(join(dir, 'in-flight.db'));
    try {
      const g = group('g1', { alerts: [alert('a')] });
      await enqueue(store, g, []);
      const update = store.updateGroups([g.id], () => [{ group: { ...g, notifiedHash: 'h2', createdAt: '2030-01-01T00:00:00.000Z' }, notifications: [] }]);
      const [, seen] = await Promise.all([update, seenByADecision(store, g.id)]);
      expect(seen).toMatchObject({ notifiedHash: 'h2', createdAt: g.createdAt });
      expect(await store.getGroup(g.id)).toEqual({ ...g, notifiedHash: 'h2' });
    } finally {
      await store.close();
    }
  });

  it('when its writer thread dies, ping and every write fail saying so; nothing accepted is lost', async () => {
    const file = join(dir, 'writer-dies.db');
    const store = openSqliteStore(file);
    const g = group('g1');
    await enqueue(store, g);
    // Stands in for a crash of the thread (an out-of-memory abort, a native fault).
    await (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer.worker.terminate();
    await expect(store.ping()).rejects.toThrow(/SQLite writer thread/);
    await expect(enqueue(store, group('g2'))).rejects.toThrow(/SQLite writer thread/);
    await store.close();
    const again = openSqliteStore(file);
    try {
      expect(await again.getGroup('g1')).toEqual(g);
      expect(await again.outboxDepth()).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('hands decide copies: editing them without writing changes nothing stored', async () => {
    const store = openSqliteStore(join(dir, 'copies.db'));
    try {
      const g = group('g1', { alerts: [alert('a')] });
      await enqueue(store, g, []);
      await store.updateGroups([g.id], (current) => {
        current.get(g.id)!.alerts[0]!.labels.alertname = 'edited';
        current.get(g.id)!.status = 'resolved';
        return [];
      });
      expect(await store.getGroup(g.id)).toEqual(g);
    } finally {
      await store.close();
    }
  });

  it('refuses a group whose updatedAt is not a time, writing nothing', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await expect(enqueue(store, group('g1', { updatedAt: 'yesterday' }))).rejects.toThrow(/updatedAt/);
      expect(await store.getGroup('g1')).toBeUndefined();
      expect(await store.outboxDepth()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

/** The record a decision made now is given for group `id` (the decision writes nothing). */
async function seenByADecision(store: Store, id: string): Promise<GroupRecord | undefined> {
  return (await decisionInput(store, [id])).get(id);
}

/** What one decision over `ids` is handed: the groups the store found, by id. */
async function decisionInput(store: Store, ids: string[]): Promise<Map<string, GroupRecord>> {
  let seen = new Map<string, GroupRecord>();
  await store.updateGroups(ids, (current) => {
    seen = current;
    return [];
  });
  return seen;
}
