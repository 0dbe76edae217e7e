/**
 * @module store/sqlite/sqlite-store
 * The embedded SQLite implementation of `Store` (better-sqlite3), for exactly one gateway
 * process. Reads run on this thread's connection; writes go to the writer (writer.ts: a writer
 * thread with its own connection for a file, inline for `:memory:`) and batch through group
 * commit there: each resolves only after its transaction committed (fsynced).
 *
 * `updateGroups` is a lock around `decide` without a lock: reading, deciding and handing the
 * write to the writer happen in one synchronous run of this thread, so two calls never
 * interleave, and the writer applies writes in the order they were handed over. A write still
 * in flight is not in the database yet, so the groups it wrote are kept here (`inFlight`) until
 * it committed, and a later call reads them from there: two copies of one webhook in the same
 * millisecond still see each other.
 *
 * Groups without alerts (the per-team maintenance state and per-channel storm state, read by
 * every webhook of that team) are also kept here once committed (`committedStates`, bounded):
 * this process is the only writer of its database, so what it last committed is what is
 * stored, and reading it back from SQLite cost ~30 µs per webhook (the writer's commits reset
 * this connection's page cache, so each read went back to the WAL through system calls). For
 * the same reason a group id a filter of the stored ids has never seen (`known-groups.ts`) is
 * not looked for at all: most webhooks bring a new group.
 *
 * @example
 * const store = openSqliteStore('data/alertgate.db');
 * await store.ping();
 */
import type Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import type { SlackRef } from '../../delivery/notifier.js';
import type { AlertStatus } from '../../model/alert.js';
import type { ChangeKind } from '../../model/group.js';
import { targetKey } from '../../model/target.js';
import { isReservedGroupKey } from '../../model/group-id.js';
import { alertsContentHash } from '../../model/content-hash.js';
import { deadPostPossible } from '../../model/post-notes.js';
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
  OwedDead,
  Page,
  PruneResult,
  PruneStep,
  RetryDeadResult,
  Store,
  UpdateOptions,
} from '../store.js';
import { openDatabase, openReadOnlyDatabase, READER_CACHE_KIB } from './connection.js';
import { RELEASE_ALL_LEASES } from './queries.js';
import type { CommitStats } from './group-commit.js';
import { copyGroup, insertedRecords, loadGroups, planGroupWrite, type GroupWritePlan, type StoredAlertRows } from './groups.js';
import { KnownGroups } from './known-groups.js';
import { Lists } from './lists.js';
import { migrate, requireReadableSchema } from './migrations.js';
import { planPruneStep, pruneCursor } from './retention.js';
import { iso, toNotificationRecord } from './rows.js';
import { decodeSnapshot } from '../snapshot-text.js';
import { prepareStatements, prepareStatementsOnUse, type Statements } from './statements.js';
import { InlineWriter, RefusingWriter, ThreadWriter, type SqliteWriter } from './writer.js';

export interface SqliteStoreOptions {
  /** Clock stamping new notifications and migrations; injectable for tests. */
  now?: () => Date;
  /** Told about every group-commit batch (alertgate_store_commit_* metrics). */
  onCommit?: (stats: CommitStats) => void;
  /**
   * Open an existing file to read only (`alertgate uptime`): not created, not migrated, no lease
   * released, every write refused. A schema newer than this release's, or older than
   * migrations.ts OLDEST_READ_ONLY_VERSION, is refused at open; on one older than this release's,
   * only the groups (`getGroup`, what `alertgate uptime` reads) are sure to be read.
   */
  readOnly?: boolean;
}

function inMemory(filename: string): boolean {
  return filename === '' || filename === ':memory:' || filename.startsWith('file::memory:');
}

/** Open (creating and migrating as needed) a SQLite store: a file path or `:memory:`. */
export function openSqliteStore(filename: string, options: SqliteStoreOptions = {}): SqliteStore {
  const memory = inMemory(filename);
  if (options.readOnly) return openReadOnly(filename, memory, options.now);
  // A file's writes run on the writer thread, so this connection only reads; `:memory:` keeps
  // SQLite's default (its pages are the database).
  const db = openDatabase(filename, memory ? {} : { cacheKiB: READER_CACHE_KIB });
  try {
    const now = options.now ?? (() => new Date());
    migrate(db, undefined, now());
    // The embedded store serves exactly one gateway process: a lease found at open belongs to a
    // process that died (SIGKILL, OOM) mid-delivery. Releasing it now redelivers those items at
    // once instead of after the lease time (at-least-once: they may repeat, never vanish).
    // A Slack post among them may have been made: the released item keeps that note (the retry looks first).
    db.prepare(RELEASE_ALL_LEASES).run();
    const s = prepareStatements(db);
    const writer = memory ? new InlineWriter(db, s, options.onCommit) : new ThreadWriter(filename, options.onCommit);
    return new SqliteStore(db, s, writer, now, memory ? undefined : filename, KnownGroups.load(db));
  } catch (err) {
    db.close();
    throw err;
  }
}

/** See `SqliteStoreOptions.readOnly`. */
function openReadOnly(filename: string, memory: boolean, now: () => Date = () => new Date()): SqliteStore {
  if (memory) throw new Error('an in-memory database lives only in the process that made it: name the gateway\'s database file');
  const db = openReadOnlyDatabase(filename);
  try {
    requireReadableSchema(db);
    // On use: an older schema's tables lack columns that statements other than the group reads name.
    return new SqliteStore(db, prepareStatementsOnUse(db), new RefusingWriter(), now);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Most alert-less groups kept (one per team and Slack channel in practice). */
const MAX_COMMITTED_STATES = 4096;

/** A group written by a write that has not committed yet. */
interface InFlightGroup {
  record: GroupRecord;
  write: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly lists: Lists;
  private readonly inFlight = new Map<string, InFlightGroup>();
  /** Committed groups without alerts, as stored (see the module comment). */
  private readonly committedStates = new Map<string, GroupRecord>();
  /**
   * Groups a prune step may be deleting (count of such steps): a write decided meanwhile read
   * them before the delete, and may land after it, so it rewrites them whole.
   */
  private readonly pruning = new Map<string, number>();
  private writeSeq = 0;
  /** Admin retries sent to the writer and not yet answered (`readOwedTargets`). */
  private retriesInFlight = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly s: Statements,
    private readonly writer: SqliteWriter,
    private readonly now: () => Date,
    /** The database file (none for `:memory:`): another thread may open it to read. */
    private readonly filename?: string,
    /**
     * Every group id stored or being stored (known-groups.ts), so a new group is not looked for;
     * none for a store that is not its database's writer of groups (the delivery thread's).
     */
    private readonly known?: KnownGroups,
  ) {
    this.lists = new Lists(db);
  }

  /**
   * Whether decisions are given owedTargets. Not on a read-only store (`alertgate uptime`): no
   * decision is written there, and an older schema may lack the notifications_dead index the
   * reads name (the write is refused as read-only).
   */
  private get readsOwedTargets(): boolean {
    return !this.writer.refusesWrites;
  }

  /** Another thread can use this database (a file with a writer thread; not `:memory:`). */
  get shareable(): boolean {
    return this.filename !== undefined && this.writer instanceof ThreadWriter;
  }

  /**
   * What a delivery thread needs to use this database: the file (for its own read connection)
   * and a new port to this store's writer thread (so its writes join the same group commits).
   */
  deliveryLink(): { filename: string; writerPort: MessagePort } {
    if (this.filename === undefined || !(this.writer instanceof ThreadWriter)) {
      throw new Error('a :memory: SQLite store cannot be shared with another thread');
    }
    return { filename: this.filename, writerPort: this.writer.openPort() };
  }

  updateGroups(ids: string[], decide: (current: Map<string, GroupRecord>) => GroupWrite[], opts: UpdateOptions = {}): Promise<NotificationRecord[]> {
    let decided: GroupWrite[];
    let plans: GroupWritePlan[];
    let stored: GroupRecord[];
    let nowMs: number;
    try {
      const storedRows: StoredAlertRows = new Map();
      // Groups whose stored rows are known: read now from the database, or committed alert-less ones.
      const settled = ids.filter((id) => !this.inFlight.has(id));
      // Not read: committed alert-less groups (kept here) and ids never stored (`known`).
      const fromDb = settled.filter((id) => !this.committedStates.has(id) && (this.known?.mayExist(id) ?? true));
      // Which of them have a dead notification, read with them (not on a read-only store: readsOwedTargets).
      const withDead = this.readsOwedTargets ? new Set<string>() : undefined;
      const current = loadGroups(this.s, fromDb, storedRows, withDead);
      for (const id of ids) {
        const known = this.inFlight.get(id)?.record ?? this.committedStates.get(id);
        // A copy: a decision may edit what it is given, and this record is what is being stored.
        if (known) current.set(id, copyGroup(known));
      }
      this.readOwedTargets(current, settled, fromDb, withDead);
      // created_at is kept from the first insert: remember it before decide may edit the records.
      const createdAt = new Map([...current].map(([id, g]) => [id, g.createdAt]));
      decided = decide(current);
      // The records as they will be stored, for reads while the write is in flight.
      stored = decided.map((w) => {
        const first = createdAt.get(w.group.id) ?? w.group.createdAt;
        createdAt.set(w.group.id, first);
        return first === w.group.createdAt ? w.group : { ...w.group, createdAt: first };
      });
      nowMs = this.now().getTime();
      for (const w of decided) this.known?.add(w.group.id);
      // The rows each write may leave alone: those read for it from the database (none for a
      // group that is not there, nor for a committed alert-less one). A group read from a write
      // in flight, or written a second time in this decision, is rewritten whole.
      const known = new Set(settled.filter((id) => !this.pruning.has(id)));
      plans = decided.map((w) => {
        const id = w.group.id;
        const before = known.has(id) ? (storedRows.get(id) ?? new Map()) : undefined;
        known.delete(id);
        return planGroupWrite(w, nowMs, before);
      });
    } catch (err) {
      return Promise.reject(err);
    }
    if (decided.length === 0) return Promise.resolve([]);
    const seq = ++this.writeSeq;
    decided.forEach((w, i) => this.inFlight.set(w.group.id, { record: stored[i]!, write: seq }));
    // The plans are copied to the writer now; nothing below holds them (their strings are young garbage).
    const { lease } = opts;
    const leaseArgs = lease && { owner: lease.owner, leaseUntilMs: nowMs + lease.leaseMs, max: lease.max, excludeTargetKeys: lease.excludeTargetKeys ?? [], ...(lease.receiverRoom ? { receiverRoom: lease.receiverRoom } : {}) };
    return this.writer.execute({ op: 'groups', plans, ...(leaseArgs ? { lease: leaseArgs } : {}) }).then(
      ({ ids, leased }) => {
        this.landed(decided, stored, seq, true);
        const leasedTo = lease && leased.length > 0 ? { owner: lease.owner, ids: new Set(leased) } : undefined;
        return decided.flatMap((w, i) => insertedRecords(w, nowMs, ids[i]!, leasedTo));
      },
      (err: unknown) => {
        this.landed(decided, stored, seq, false);
        throw err;
      },
    );
  }

  /**
   * `owedTargets` of the committed groups (`settled`: none of their writes in flight, so what
   * the database holds is what the decision builds on). A group with a write in flight is given
   * none: that write may queue the very notification that pays the target, and only its commit
   * shows it; a later resend finds what is still owed. Nor is any while an admin retry is in
   * flight: a requeued dead item pays its target, and both would be delivered. With each owed
   * target, its dead item's id, queue time and last error (`owedDead`, SELECT_OWED_TARGETS'
   * columns after the target key; one row per target: an older dead item of it has a newer one
   * that is not suppressed, the dead one), and, where a post may have been made, its snapshot's
   * content hash.
   */
  private readOwedTargets(current: Map<string, GroupRecord>, settled: string[], fromDb: string[], withDead: Set<string> | undefined): void {
    // A record kept from an earlier decision says what was owed before it: never trusted.
    for (const group of current.values()) {
      delete group.owedTargets;
      delete group.owedDead;
    }
    if (this.retriesInFlight > 0 || !withDead) return;
    // Groups read from the database with no dead notification owe nothing (most resends), nor do
    // alertgate's own records (storm and maintenance states, queued messages: every webhook
    // locks some; no dedup decision reads their owedTargets). Each read is a query.
    const read = new Set(fromDb);
    const ids = settled.filter((id) => {
      const group = current.get(id);
      return group !== undefined && !isReservedGroupKey(group.groupKey) && (!read.has(id) || withDead.has(id));
    });
    if (ids.length === 0) return;
    for (const row of this.s.selectOwedTargets.all({ ids: JSON.stringify(ids) })) {
      const group = current.get(row.group_id)!;
      group.owedTargets = [...(group.owedTargets ?? []), row.target_key];
      const dead: OwedDead = { id: row.id, createdAt: iso(row.created_at), lastError: row.last_error };
      if (deadPostPossible(row.target_key, row.last_error)) dead.contentHash = this.snapshotContentHash(row.id);
      group.owedDead = { ...group.owedDead, [row.target_key]: dead };
    }
  }

  /**
   * The content hash of a notification's snapshot (OwedDead.contentHash). Every notification has
   * its snapshot row (written with it, deleted with it); were one missing, the hash of nothing
   * fired is as good a guess as any other: a re-send that fires then posts rather than adopt.
   */
  private snapshotContentHash(id: number): string {
    const text = this.s.selectSnapshotText.get({ id });
    return alertsContentHash(text === undefined ? [] : decodeSnapshot(text).alerts);
  }

  /**
   * A write committed or failed: from now on its groups are read from the database, or from
   * `committedStates` for a committed alert-less group. After a failure nothing of it is kept.
   */
  private landed(decided: GroupWrite[], stored: GroupRecord[], seq: number, committed: boolean): void {
    decided.forEach((w, i) => {
      const id = w.group.id;
      const latest = this.inFlight.get(id)?.write === seq;
      if (latest) this.inFlight.delete(id);
      this.committedStates.delete(id);
      // Not kept: a failed write (what is stored is unknown here), a group a later write still
      // in flight will change, a group with alerts or tombstones (rows a later write must see).
      if (!committed || !latest || stored[i]!.alerts.length > 0 || stored[i]!.tombstones) return;
      this.committedStates.set(id, stored[i]!);
      if (this.committedStates.size > MAX_COMMITTED_STATES) this.committedStates.delete(this.committedStates.keys().next().value!);
    });
  }

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    const known = this.inFlight.get(id)?.record ?? this.committedStates.get(id);
    if (known) return copyGroup(known);
    // A read transaction: the group and its alerts come from one snapshot of the database.
    return this.db.transaction(() => loadGroups(this.s, [id]).get(id))();
  }

  async heldGroupIds(team: string, dueBy?: Date): Promise<string[]> {
    return this.s.selectHeldGroupIds.all({ team, due: dueBy?.getTime() ?? Number.MAX_SAFE_INTEGER });
  }

  async activeStormIds(): Promise<string[]> {
    return this.s.selectActiveStormIds.all();
  }

  async stormGroupIds(team: string, channel: string, storm: number, after: string | undefined, limit: number): Promise<string[]> {
    return this.s.selectStormGroupIds.all({ team, channel, storm, after: after ?? null, limit });
  }

  async heldGroupCounts(): Promise<Record<string, number>> {
    return Object.fromEntries(this.s.countHeldGroups.all().map((r) => [r.team, r.n]));
  }

  async claimDue(opts: ClaimOptions): Promise<NotificationRecord[]> {
    const rows = await this.writer.execute({
      op: 'claim',
      nowMs: opts.now.getTime(),
      limit: opts.limit,
      leaseMs: opts.leaseMs,
      owner: opts.owner,
      excludeTargetKeys: opts.excludeTargetKeys ?? [],
      ...(opts.receiverRoom ? { receiverRoom: opts.receiverRoom } : {}),
    });
    return rows.map(toNotificationRecord);
  }

  async markSent(id: number, opts: ClaimHeld & { sentAt: Date; slackRef?: SlackRef }): Promise<OutcomeWrite> {
    return this.writer.execute({ op: 'markSent', id, owner: opts.owner, claim: opts.claim, sentAtMs: opts.sentAt.getTime(), ...(opts.slackRef ? { slackRef: opts.slackRef } : {}) });
  }

  async markFailed(id: number, opts: ClaimHeld & { error: string; nextAttemptAt: Date | null }): Promise<OutcomeWrite> {
    return this.writer.execute({ op: 'markFailed', id, owner: opts.owner, claim: opts.claim, error: opts.error, nextAttemptAtMs: opts.nextAttemptAt?.getTime() ?? null });
  }

  async defer(id: number, opts: ClaimHeld & { nextAttemptAt: Date; lastError?: string }): Promise<OutcomeWrite> {
    return this.writer.execute({ op: 'defer', id, owner: opts.owner, claim: opts.claim, nextAttemptAtMs: opts.nextAttemptAt.getTime(), ...(opts.lastError === undefined ? {} : { lastError: opts.lastError }) });
  }

  async retryDead(id: number, now: Date): Promise<RetryDeadResult> {
    this.retriesInFlight++;
    let result;
    try {
      result = await this.writer.execute({ op: 'retryDead', id, nowMs: now.getTime() });
    } finally {
      this.retriesInFlight--;
    }
    return result.outcome === 'requeued' ? { outcome: 'requeued', notification: toNotificationRecord(result.row) } : result;
  }

  async pruneHistory(step: PruneStep): Promise<PruneResult> {
    // Read, and the groups marked, in one synchronous run, as `updateGroups` reads and decides:
    // a write decided after this reads `pruning` until the step has settled.
    const plan = planPruneStep(this.s.retention, step, (id) => this.inFlight.has(id));
    const ids = plan.groups.map((g) => g.id);
    for (const id of ids) this.pruning.set(id, (this.pruning.get(id) ?? 0) + 1);
    try {
      const seqs = plan.groups.map((g) => g.seq);
      const { notifications, groups, full } = await this.writer.execute({ op: 'prune', seqs, cut: plan.cut, limit: step.limit });
      // Notifications filled the step: its groups wait for the next one, from the same place.
      const cursor = full ? String(pruneCursor(step)) : plan.end ? null : String(plan.lastSeq);
      return { notifications, groups, cursor };
    } finally {
      for (const id of ids) {
        const left = (this.pruning.get(id) ?? 1) - 1;
        if (left > 0) this.pruning.set(id, left);
        else this.pruning.delete(id);
      }
    }
  }

  /** Give back every claim `owner` holds (a restarted delivery thread of this process). */
  async releaseLeases(owner: string): Promise<number> {
    return this.writer.execute({ op: 'releaseLeases', owner });
  }

  async getSlackRef(groupId: string, channel: string, forNotification?: { id: number; kind: ChangeKind }): Promise<SlackRef | undefined> {
    const row = forNotification
      ? this.s.selectEpisodeSlackMessage.get({ group_id: groupId, channel, target_key: targetKey({ type: 'slack', channel }), id: forNotification.id, kind: forNotification.kind })
      : this.s.selectSlackMessage.get({ group_id: groupId, channel });
    return row ? { channel: row.ref_channel, ts: row.ts } : undefined;
  }

  async getSlackChannelId(channel: string): Promise<string | undefined> {
    return this.s.selectSlackChannelId.get({ channel }) ?? undefined;
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

  async oldestWaitingCreatedAt(): Promise<Date | null> {
    const ms = this.s.oldestWaitingCreatedAt.get();
    return ms === undefined || ms === null ? null : new Date(ms);
  }

  async ping(): Promise<void> {
    const broken = this.writer.broken();
    if (broken) throw broken;
    this.db.prepare('SELECT 1').get();
  }

  /** `cutAfterMs` is PostgreSQL's: no SQLite call waits on a remote server. */
  async close(_cutAfterMs?: number): Promise<'closed'> {
    if (!this.db.open) return 'closed';
    // Commit what was accepted before closing: a queued write's caller is still waiting.
    await this.writer.close();
    this.db.close();
    return 'closed';
  }
}
