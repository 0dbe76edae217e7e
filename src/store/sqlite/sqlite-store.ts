/**
 * @module store/sqlite/sqlite-store
 * The embedded SQLite implementation of `Store` (better-sqlite3). better-sqlite3 is synchronous,
 * so every transaction runs without yielding to the event loop: transactions of one process never
 * interleave, and IMMEDIATE transactions take the write lock up front so another process on the
 * same file cannot interleave either. Writes go through group commit (group-commit.ts): the
 * write calls of one event-loop turn share one transaction and one fsync, each in its own
 * savepoint, and each resolves only after that transaction committed.
 *
 * @example
 * const store = openSqliteStore('data/alertgate.db');
 * await store.ping();
 */
import type Database from 'better-sqlite3';
import type { SlackRef } from '../../delivery/notifier.js';
import type { AlertStatus } from '../../model/alert.js';
import type {
  AlertRecord,
  ClaimOptions,
  GroupRecord,
  GroupWrite,
  ListQuery,
  NotificationRecord,
  NotificationStatus,
  Page,
  Store,
} from '../store.js';
import { openDatabase } from './connection.js';
import { GroupCommit } from './group-commit.js';
import { loadGroups, writeGroup, type StoredAlertRows } from './groups.js';
import { Lists } from './lists.js';
import { migrate } from './migrations.js';
import * as outbox from './outbox.js';
import { toNotificationRecord } from './rows.js';
import { prepareStatements, type Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** Clock stamping new notifications and migrations; injectable for tests. */
  now?: () => Date;
}

/** Open (creating and migrating as needed) a SQLite store: a file path or `:memory:`. */
export function openSqliteStore(filename: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openDatabase(filename);
  try {
    const now = options.now ?? (() => new Date());
    migrate(db, undefined, now());
    // The embedded store serves exactly one gateway process: a lease found at open belongs to a
    // process that died (SIGKILL, OOM) mid-delivery. Releasing it now redelivers those items at
    // once instead of after the lease time (at-least-once: they may repeat, never vanish).
    db.prepare('UPDATE notifications SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL').run();
    return new SqliteStore(db, now);
  } catch (err) {
    db.close();
    throw err;
  }
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly s: Statements;
  private readonly lists: Lists;
  private readonly writes: GroupCommit;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.s = prepareStatements(db);
    this.lists = new Lists(db);
    this.writes = new GroupCommit(db);
  }

  async updateGroups(ids: string[], decide: (current: Map<string, GroupRecord>) => GroupWrite[]): Promise<NotificationRecord[]> {
    return this.writes.run(() => {
      const stored: StoredAlertRows = new Map();
      const loaded = new Set(ids);
      const decided = decide(loadGroups(this.s, ids, stored));
      const nowMs = this.now().getTime();
      // The rows each write may leave alone: those loaded for it (none for a new group). A group
      // that was not loaded, or is written a second time in this decision, is rewritten whole.
      const written = new Set<string>();
      return decided.flatMap((w) => {
        const id = w.group.id;
        const before = written.has(id) ? undefined : (stored.get(id) ?? (loaded.has(id) ? new Map() : undefined));
        written.add(id);
        return writeGroup(this.s, w, nowMs, before);
      });
    });
  }

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    // A read transaction: the group and its alerts come from one snapshot of the database.
    return this.db.transaction(() => loadGroups(this.s, [id]).get(id))();
  }

  async claimDue(opts: ClaimOptions): Promise<NotificationRecord[]> {
    return this.writes.run(() => outbox.claimDue(this.s, opts));
  }

  async markSent(id: number, opts: { owner: string; sentAt: Date; slackRef?: SlackRef }): Promise<void> {
    return this.writes.run(() => outbox.markSent(this.s, id, opts));
  }

  async markFailed(id: number, opts: { owner: string; error: string; nextAttemptAt: Date | null }): Promise<void> {
    return this.writes.run(() => outbox.markFailed(this.s, id, opts));
  }

  async retryDead(id: number, now: Date): Promise<NotificationRecord | undefined> {
    return this.writes.run(() => outbox.retryDead(this.s, id, now));
  }

  async getSlackRef(groupId: string, channel: string): Promise<SlackRef | undefined> {
    const row = this.s.selectSlackMessage.get({ group_id: groupId, channel });
    return row ? { channel: row.ref_channel, ts: row.ts } : undefined;
  }

  async getNotification(id: number): Promise<NotificationRecord | undefined> {
    const row = this.s.selectNotification.get(id);
    return row ? toNotificationRecord(row) : undefined;
  }

  async listNotifications(q: ListQuery<NotificationStatus>): Promise<Page<NotificationRecord>> {
    return this.lists.notifications(q);
  }

  async listAlerts(q: ListQuery<AlertStatus>): Promise<Page<AlertRecord>> {
    return this.lists.alerts(q);
  }

  async outboxDepth(): Promise<number> {
    return this.s.countOutbox.get()?.n ?? 0;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Commit what was accepted before closing: a queued write's caller is still waiting.
    this.writes.close();
    this.db.close();
  }
}
