/**
 * @module store/postgres/postgres-store
 * The PostgreSQL implementation of `Store` (node-postgres), for several gateway replicas
 * sharing one database: dedup is decided under database locks, the outbox is claimed with
 * leases, and Slack message refs live in the database, so any replica can continue any
 * group's work. See README.md, "Running several replicas on PostgreSQL".
 *
 * @example
 * const store = await openPostgresStore('postgres://alertgate@db:5432/alertgate');
 * await store.ping();
 */
import type pg from 'pg';
import type { SlackRef } from '../../delivery/notifier.js';
import type { AlertStatus } from '../../model/alert.js';
import type { ChangeKind } from '../../model/group.js';
import { targetKey } from '../../model/target.js';
import type {
  AlertRecord,
  ClaimHeld,
  ClaimOptions,
  GroupRecord,
  GroupWrite,
  ListQuery,
  NotificationRecord,
  NotificationStatus,
  OutcomeWrite,
  Page,
  PruneResult,
  PruneStep,
  RetryDeadResult,
  Store,
  UpdateOptions,
} from '../store.js';
import { StoreNotWritableError } from '../store.js';
import { groupLockKeys, loadGroups, loadLockedGroups, writeGroups } from './groups.js';
import { listAlerts, listNotifications } from './lists.js';
import { migrate, requireReadableSchema, type MigrationEvent } from './migrations.js';
import * as outbox from './outbox.js';
import { retryDead } from './outbox-retry.js';
import { createPool, cutConnections, DEFAULT_POOL_SIZE, mayKeepReadOnly, STATEMENT_TIMEOUT_MS, withConnection, withTransaction, type PoolOptions, type Queryable } from './pool.js';
import * as q from './queries.js';
import { pruneHistory } from './retention.js';
import { settledWithin } from '../../pipeline/settled-within.js';
import { toNotificationRecord, type NotificationRow } from './rows.js';
import { WriteGate } from './write-gate.js';

/**
 * Connections of the pool group writes may not take: always left for `/readyz`'s ping, the
 * outbox's claims and outcomes, and reads, however many writes wait for locks held elsewhere.
 */
export const RESERVED_CONNECTIONS = 2;

/** The client-side bound of `ping` (readiness): the wait /readyz gives it (http/ops.ts), no more. */
export const PING_TIMEOUT_MS = 3_000;

export interface PostgresStoreOptions extends PoolOptions {
  /** Clock stamping new notifications and migrations; injectable for tests. */
  now?: () => Date;
  /** Schema migration progress at open: waiting for another replica's migration, steps applied. */
  onMigration?: (event: MigrationEvent) => void;
  /** How often a replica waiting for another's migration tries the lock again (default 250 ms); lowered by tests. */
  migrationLockPollMs?: number;
  /**
   * Connect to read only (`alertgate uptime`): not migrated, every transaction read-only (the
   * server refuses a write). A schema newer than this release's, or older than migrations.ts
   * OLDEST_READ_ONLY_VERSION, is refused at open; on one older than this release's, only the
   * groups (`getGroup`, what `alertgate uptime` reads) are sure to be read.
   */
  readOnly?: boolean;
}

/**
 * Connect, migrate (safely, even with several replicas starting at once) and return the store.
 * Rejects when the database is unreachable or its schema is newer than this alertgate (or, when
 * `readOnly`, older than the oldest it reads).
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, options);
  const now = options.now ?? (() => new Date());
  try {
    if (options.readOnly) await withTransaction(pool, (c) => requireReadableSchema(c), 'BEGIN READ ONLY');
    else await migrate(pool, undefined, { now: now(), onEvent: options.onMigration, lockPollMs: options.migrationLockPollMs });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  // A write waits here at most as long as it could wait for the server's lock (the statement timeout).
  const gate = new WriteGate(Math.max(1, (options.max ?? DEFAULT_POOL_SIZE) - RESERVED_CONNECTIONS), options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS);
  return new PostgresStore(pool, now, gate, !options.readOnly);
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closing?: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
    /** Writes sharing a group lock take turns here before taking a connection (write-gate.ts). */
    private readonly writeGate: WriteGate,
    /** Whether this store writes (not `readOnly`): then a read-only server fails `ping`. */
    private readonly writes = true,
  ) {}

  async updateGroups(ids: string[], decide: (current: Map<string, GroupRecord>) => GroupWrite[], opts: UpdateOptions = {}): Promise<NotificationRecord[]> {
    const keys = groupLockKeys(ids);
    const leave = await this.writeGate.enter(keys);
    let inserted: NotificationRecord[];
    try {
      inserted = await withTransaction(
        this.pool,
        async (c) => writeGroups(c, [...decide(await loadLockedGroups(c, ids))], this.now()),
        q.beginAndLockGroups(keys),
      );
    } finally {
      // The transaction is over for this process: committed, rolled back, or its connection
      // destroyed after a client-side timeout (the server then ends it when it notices).
      leave();
    }
    if (!opts.lease) return inserted;
    // After the commit, not inside it: the group locks bound a team's webhook rate, so they are
    // not held for another round trip. Another replica may claim an item first (it is committed);
    // then it is simply not leased here. The write is durable either way, so a failed lease only
    // leaves the items to a claim (whose own failure the worker logs, should the database be down).
    return outbox.leaseInserted(this.pool, inserted, opts.lease, this.now()).catch(() => inserted);
  }

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    // One snapshot for the group and its alerts.
    return withTransaction(this.pool, async (c) => (await loadGroups(c, [id])).get(id), 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async heldGroupIds(team: string, dueBy?: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(q.SELECT_HELD_GROUP_IDS, [team, dueBy?.getTime() ?? Number.MAX_SAFE_INTEGER]);
    return rows.map((r) => r.id);
  }

  async activeStormIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(q.SELECT_ACTIVE_STORM_IDS);
    return rows.map((r) => r.id);
  }

  async stormGroupIds(team: string, channel: string, storm: number, after: string | undefined, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(q.SELECT_STORM_GROUP_IDS, [team, channel, storm, after ?? null, limit]);
    return rows.map((r) => r.id);
  }

  async heldGroupCounts(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ team: string; n: number }>(q.COUNT_HELD_GROUPS);
    return Object.fromEntries(rows.map((r) => [r.team, r.n]));
  }

  async claimDue(opts: ClaimOptions): Promise<NotificationRecord[]> {
    return outbox.claimDue(this.pool, opts);
  }

  async markSent(id: number, opts: ClaimHeld & { sentAt: Date; slackRef?: SlackRef }): Promise<OutcomeWrite> {
    return outbox.markSent(this.pool, id, opts);
  }

  async markFailed(id: number, opts: ClaimHeld & { error: string; nextAttemptAt: Date | null }): Promise<OutcomeWrite> {
    return outbox.markFailed(this.pool, id, opts);
  }

  async defer(id: number, opts: ClaimHeld & { nextAttemptAt: Date; lastError?: string }): Promise<OutcomeWrite> {
    return outbox.defer(this.pool, id, opts);
  }

  async retryDead(id: number, now: Date): Promise<RetryDeadResult> {
    return retryDead(this.pool, this.writeGate, id, now);
  }

  async getSlackRef(groupId: string, channel: string, forNotification?: { id: number; kind: ChangeKind }): Promise<SlackRef | undefined> {
    const { rows } = forNotification
      ? await this.pool.query<{ ref_channel: string; ts: string }>(q.SELECT_EPISODE_SLACK_MESSAGE, [groupId, channel, targetKey({ type: 'slack', channel }), forNotification.id, forNotification.kind])
      : await this.pool.query<{ ref_channel: string; ts: string }>(q.SELECT_SLACK_MESSAGE, [groupId, channel]);
    const row = rows[0];
    return row ? { channel: row.ref_channel, ts: row.ts } : undefined;
  }

  async getSlackChannelId(channel: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ ref_channel: string }>(q.SELECT_SLACK_CHANNEL_ID, [channel]);
    return rows[0]?.ref_channel;
  }

  async getNotification(id: number): Promise<NotificationRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const { rows } = await this.pool.query<NotificationRow>(q.SELECT_NOTIFICATION, [id]);
    return rows[0] ? toNotificationRecord(rows[0]) : undefined;
  }

  async listNotifications(query: ListQuery<NotificationStatus>): Promise<Page<NotificationRecord>> {
    return listNotifications(this.pool, query);
  }

  async listAlerts(query: ListQuery<AlertStatus>): Promise<Page<AlertRecord>> {
    return listAlerts(this.pool, query);
  }

  async pruneHistory(step: PruneStep): Promise<PruneResult> {
    return pruneHistory(this.pool, step);
  }

  async outboxDepth(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(q.COUNT_OUTBOX);
    return rows[0]?.n ?? 0;
  }

  async oldestWaitingCreatedAt(): Promise<Date | null> {
    const { rows } = await this.pool.query<{ created_at: Date | null }>(q.OLDEST_WAITING_CREATED_AT);
    return rows[0]?.created_at ?? null;
  }

  async ping(): Promise<void> {
    // Its own short client-side bound: a ping on a connection that went silent fails (and the
    // pool drops that connection) instead of holding it for QUERY_TIMEOUT_MS.
    // A standby answers reads: `SELECT 1` alone said ready while every webhook got 503 (a
    // failover's standby reached before its promotion; a URL naming a replica). The read-only
    // connection is dropped, as a refused write's is (pool.ts mayKeepReadOnly: unless opened
    // within the last second): the next may reach a primary.
    const readOnly = (c: Queryable, err: unknown) => Promise.resolve(err instanceof StoreNotWritableError && mayKeepReadOnly(c));
    await withConnection(this.pool, async (c) => {
      const { rows } = await c.query<{ recovery: boolean; read_only: boolean }>({ text: q.PING, query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig);
      const row = rows[0];
      if (!this.writes || !row?.read_only) return;
      throw new StoreNotWritableError(
        row.recovery
          ? 'store is read-only: the PostgreSQL server is a standby in recovery (DATABASE_URL must reach the primary; during a failover, until the standby is promoted)'
          : 'store is read-only: the PostgreSQL session is read-only (default_transaction_read_only is on for this database or user)',
      );
    }, readOnly);
  }

  async close(cutAfterMs?: number): Promise<'closed' | 'cut'> {
    this.closing ??= this.pool.end();
    const cut = cutAfterMs !== undefined && !(await settledWithin(this.closing.then(() => true), cutAfterMs, false));
    if (cut) cutConnections(this.pool);
    await this.closing;
    return cut ? 'cut' : 'closed';
  }
}
