/**
 * @module uptime/semaphore
 * At most `n` tasks at once: a report for hundreds of services must not open hundreds of
 * queries against one Thanos Querier.
 */

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`concurrency must be a positive integer, got ${n}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (this.active >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** `items.map(fn)` with at most `n` calls in flight; results in input order; first failure wins. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const sem = new Semaphore(n);
  return Promise.all(items.map((item, i) => sem.run(() => fn(item, i))));
}
