/**
 * @module store/sqlite/group-commit
 * Group commit for the SQLite store. With `synchronous=FULL` every COMMIT waits for an fsync
 * (milliseconds on real disks), so one transaction per webhook caps ingest at the disk's fsync
 * rate. Instead, write calls made in the same event-loop turn are queued and run together, in
 * order, in ONE IMMEDIATE transaction: one fsync for the lot.
 *
 * A call that throws rolls back only its own changes and rejects only its own promise; the others
 * still commit. Calls first run back to back in the transaction; only if one throws is the batch
 * rolled back and run again with each call in its own SAVEPOINT (better-sqlite3 nests
 * transactions that way). Savepoints are not free: inside one, SQLite copies every page before
 * its first change to a sub-journal file, which cost the writer thread ~15 % of its time when
 * every batch paid for it; calls are plain data applied to the database, so running them twice
 * is safe. Every promise settles only after the shared COMMIT returned, so "resolved" still
 * means "on disk": durability is unchanged, only the fsyncs are shared. Calls still run one after
 * another on one connection, so each sees the writes of the calls before it (the lock around
 * `decide` that dedup relies on holds within a batch as it does across batches).
 *
 * While a batch commits (a synchronous fsync), the event loop is blocked; the requests that arrive
 * meanwhile form the next batch, so batches grow with load and stay at one call when idle.
 */
import type Database from 'better-sqlite3';

interface Job {
  fn: () => unknown;
  /** Runs by itself, outside the shared transaction (`runAlone`). */
  alone?: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** Abandons the plain run of a batch: a call threw `err`. */
class CallFailed {
  constructor(readonly err: unknown) {}
}

/** One committed (or failed) batch: how many write calls it held and how long it took. */
export interface CommitStats {
  writes: number;
  seconds: number;
}

/** Most calls one transaction takes; the rest wait for the next turn (bounds the lock time). */
export const MAX_BATCH = 256;

export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;
  private readonly runPlain: Database.Transaction<(jobs: Job[]) => unknown[]>;
  private readonly runIsolated: Database.Transaction<(jobs: Job[]) => Outcome[]>;

  constructor(
    private readonly db: Database.Database,
    /** Told about every batch after its transaction ended (metrics). */
    private readonly onBatch?: (stats: CommitStats) => void,
  ) {
    this.runPlain = db.transaction((jobs: Job[]) =>
      jobs.map((job) => {
        try {
          return job.fn();
        } catch (err) {
          throw new CallFailed(err);
        }
      }),
    );
    const inSavepoint = db.transaction((fn: () => unknown) => fn());
    this.runIsolated = db.transaction((jobs: Job[]) => {
      const outcomes: Outcome[] = [];
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: inSavepoint(job.fn) });
        } catch (err) {
          // Some SQLite errors (disk full, I/O) end the whole transaction, not just the
          // savepoint: then nothing of this batch can commit.
          if (!db.inTransaction) throw err;
          outcomes.push({ ok: false, err });
        }
      }
      return outcomes;
    });
  }

  /** Run `fn` in the next shared write transaction; resolves after that transaction committed. */
  run<T>(fn: () => T): Promise<T> {
    return this.enqueue({ fn });
  }

  private enqueue<T>(job: Pick<Job, 'fn' | 'alone'>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: every request parsed in this I/O phase joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Run `fn` by itself, in its turn among the queued calls but outside any shared transaction:
   * for work that must change connection settings around its own transaction (pruning groups
   * with foreign keys off, sqlite/retention.ts), which SQLite ignores inside one.
   */
  runAlone<T>(fn: () => T): Promise<T> {
    return this.enqueue({ fn, alone: true });
  }

  /** Commit what is queued now (close() calls it so no accepted call is left behind), then refuse more. */
  close(): void {
    while (this.queue.length > 0) this.flushOnce();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    this.flushOnce();
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flushOnce(): void {
    if (this.queue[0]?.alone) return this.runAloneJob(this.queue.shift()!);
    // A batch ends before the next call that runs alone, so calls keep their order.
    let take = 0;
    while (take < MAX_BATCH && take < this.queue.length && !this.queue[take]!.alone) take++;
    const jobs = this.queue.splice(0, take);
    if (jobs.length === 0) return;
    let outcomes: Outcome[];
    const started = process.hrtime.bigint();
    const report = () => this.onBatch?.({ writes: jobs.length, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    try {
      outcomes = this.runBatch(jobs);
    } catch (err) {
      report();
      // BEGIN (busy), COMMIT (I/O) or a transaction-ending error: nothing of the batch is stored.
      for (const job of jobs) job.reject(err);
      return;
    }
    report();
    outcomes.forEach((o, i) => {
      const job = jobs[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.err);
    });
  }

  private runAloneJob(job: Job): void {
    const started = process.hrtime.bigint();
    let outcome: Outcome;
    try {
      outcome = { ok: true, value: job.fn() };
    } catch (err) {
      outcome = { ok: false, err };
    }
    this.onBatch?.({ writes: 1, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    if (outcome.ok) job.resolve(outcome.value);
    else job.reject(outcome.err);
  }

  /** Each call's outcome; throws when nothing of the batch could be stored. */
  private runBatch(jobs: Job[]): Outcome[] {
    try {
      return this.runPlain.immediate(jobs).map((value) => ({ ok: true as const, value }));
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err;
      // The batch was rolled back whole. A call alone simply failed; among others, they all run
      // again, each isolated by its savepoint, so only the failing ones are rolled back.
      if (jobs.length === 1) return [{ ok: false, err: err.err }];
      return this.runIsolated.immediate(jobs);
    }
  }
}
