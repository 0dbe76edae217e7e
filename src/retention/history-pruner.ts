/**
 * @module retention/history-pruner
 * History retention (HISTORY_RETENTION): a pass, a minute after start and then every
 * HISTORY_PRUNE_TICK_MS (an hour by default), deletes the delivery log older than the retention, and the alert groups resolved
 * and quiet for that long with everything they hold (`Store.pruneHistory`). Without it every
 * group, alert and notification is kept for ever (about 11 KiB per 10-alert group with SQLite).
 *
 * A pass runs in small steps (`STEP_LIMIT` rows each), each a short write, so webhooks keep
 * being accepted between them (the writes queued meanwhile go before the next step); the first
 * pass over a large, never pruned database simply takes many steps. Nothing undelivered is ever pruned (see the store's contract).
 */
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import type { Store } from '../store/store.js';

/**
 * Rows deleted, or groups looked at, per step. A step that deletes groups is a write of its own
 * (sqlite/retention.ts), and webhooks arriving meanwhile wait for its commit: 100 groups took
 * 6-16 ms on the benchmark machine (500: 20-38 ms), about one ordinary commit.
 */
export const STEP_LIMIT = 100;

/** When the first pass runs after start (unless the interval is shorter). */
export const FIRST_PASS_AFTER_MS = 60_000;

/** The shortest retention accepted: shorter would prune groups Alertmanager may still resend. */
export const MIN_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface PruneTotals {
  notifications: number;
  groups: number;
  steps: number;
}

export interface HistoryPrunerOptions {
  store: Store;
  retentionMs: number;
  logger: Logger;
  intervalMs: number;
  /** Told what each step deleted (metrics). */
  onPruned?: (deleted: { notifications: number; groups: number }) => void;
  /** Told when a pass completed, and when (metrics). */
  onPass?: (completedAt: Date) => void;
  stepLimit?: number;
  now?: () => Date;
  /** Ends a pass between two steps (shutdown: the store is about to close). */
  signal?: AbortSignal;
}

/** One whole pass: every step until the walk over the groups is done (or `signal` aborts it). */
export async function pruneHistoryPass(o: Omit<HistoryPrunerOptions, 'intervalMs' | 'logger'>): Promise<PruneTotals> {
  const clock = o.now ?? (() => new Date());
  const before = new Date(clock().getTime() - o.retentionMs);
  const limit = o.stepLimit ?? STEP_LIMIT;
  const totals: PruneTotals = { notifications: 0, groups: 0, steps: 0 };
  let cursor: string | undefined;
  for (;;) {
    const r = await o.store.pruneHistory({ before, limit, ...(cursor !== undefined ? { cursor } : {}) });
    totals.notifications += r.notifications;
    totals.groups += r.groups;
    totals.steps++;
    if (r.notifications > 0 || r.groups > 0) o.onPruned?.({ notifications: r.notifications, groups: r.groups });
    if (r.cursor === null) {
      o.onPass?.(clock());
      return totals;
    }
    if (o.signal?.aborted) return totals;
    cursor = r.cursor;
  }
}

/**
 * Passes on a timer. One stopped at shutdown (between two steps) says so, with what it did: the
 * next start's pass begins again from the first group.
 */
export function startHistoryPruner(o: HistoryPrunerOptions): Ticker {
  const pass = async (signal: AbortSignal) => {
    const started = Date.now();
    let completed = false;
    const totals = await pruneHistoryPass({
      ...o,
      signal,
      onPass: (at) => {
        completed = true;
        o.onPass?.(at);
      },
    });
    const done = { ...totals, seconds: (Date.now() - started) / 1000, retentionMs: o.retentionMs };
    o.logger.info(done, completed ? 'history pruned' : 'history pruning stopped at shutdown');
  };
  return startTicker(pass, o.intervalMs, o.logger, 'history pruner', FIRST_PASS_AFTER_MS);
}
