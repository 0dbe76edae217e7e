/**
 * @module store/postgres/write-gate
 * Admission of group writes (`updateGroups`) to the connection pool, in this process.
 *
 * A group write takes a pooled connection and then waits in the server for its advisory locks
 * (queries.ts `beginAndLockGroups`). Every webhook of a team locks the team's storm state, so
 * while another replica holds that lock (frozen mid-write, or just a burst of the team), each
 * of the team's webhooks here used to hold a connection doing nothing but wait: ten of them
 * took the whole pool, and `/readyz`'s ping, other teams' webhooks and the outbox's claims
 * failed to get a connection. Every replica went unready because of one team. The gate:
 *
 * - serialises writes sharing a lock key here, before they take a connection: only the first
 *   waits in the server (they would take turns there anyway); the others wait in a FIFO queue
 *   of this process, holding nothing. Keys are taken in the same sorted order as the server's
 *   locks, and all of them before the connection, so no cycle can form: a write holding a
 *   connection never waits for the gate.
 * - caps the writes holding a connection at once (`slots`, a few below the pool's size), so
 *   that however many different keys are locked elsewhere, some connections are always left
 *   for ping, claims, outcomes and reads.
 *
 * Waiting here is bounded (`waitMs`): a write that could not start in time rejects (the webhook
 * answers 503 and Alertmanager retries), as one waiting that long for the server's lock would.
 */

/** A write that waited longer than the gate's bound for its turn. */
export class GroupWriteBusyError extends Error {
  constructor(waitMs: number) {
    super(`timed out after ${waitMs} ms waiting for this replica's earlier writes of the same groups or for a free connection`);
    this.name = 'GroupWriteBusyError';
  }
}

type Grant = () => void;

export class WriteGate {
  /** Keys held by a write of this process, each with the writes waiting for it, in arrival order. */
  private readonly keys = new Map<number, Grant[]>();
  private free: number;
  private readonly slotQueue: Grant[] = [];

  constructor(
    readonly slots: number,
    private readonly waitMs: number,
  ) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new Error(`a write gate needs at least one slot, got ${slots}`);
    this.free = slots;
  }

  /**
   * Wait for every key (sorted, distinct: `groupLockKeys`) and then a slot; resolves with the
   * function giving them back, to call once the transaction has ended. Rejects with
   * `GroupWriteBusyError`, holding nothing, when that took longer than `waitMs`.
   */
  async enter(keys: readonly number[]): Promise<() => void> {
    const until = Date.now() + this.waitMs;
    const held: number[] = [];
    try {
      for (const key of keys) {
        await this.takeKey(key, until);
        held.push(key);
      }
      await this.takeSlot(until);
    } catch (err) {
      for (const key of [...held].reverse()) this.giveKey(key);
      throw err;
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.giveSlot();
      for (const key of [...held].reverse()) this.giveKey(key);
    };
  }

  /** Writes holding a slot, and writes waiting for a key or a slot (for tests and diagnostics). */
  stats(): { writing: number; waiting: number } {
    let waiting = this.slotQueue.length;
    for (const queue of this.keys.values()) waiting += queue.length;
    return { writing: this.slots - this.free, waiting };
  }

  private takeKey(key: number, until: number): Promise<void> {
    const queue = this.keys.get(key);
    if (!queue) {
      this.keys.set(key, []);
      return Promise.resolve();
    }
    return this.wait(queue, until);
  }

  /** Hand the key to the next write waiting for it, or free it. */
  private giveKey(key: number): void {
    const next = this.keys.get(key)?.shift();
    if (next) next();
    else this.keys.delete(key);
  }

  private takeSlot(until: number): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return this.wait(this.slotQueue, until);
  }

  private giveSlot(): void {
    const next = this.slotQueue.shift();
    if (next) next();
    else this.free++;
  }

  /**
   * Queue for a grant until `until`. The grant and the timeout each run to completion, so
   * exactly one of them happens: a granted write's timer is cleared, a timed-out write has left
   * the queue before anything could hand it a key or a slot.
   */
  private wait(queue: Grant[], until: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const grant: Grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(grant), 1);
        reject(new GroupWriteBusyError(this.waitMs));
      }, Math.max(0, until - Date.now()));
      queue.push(grant);
    });
  }
}
