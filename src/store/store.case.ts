/**
 * @module store/store.case
 * The `Store` contract suite, run by every implementation's tests (after Hono's
 * `common.case.test.ts`): behaviour through the public interface only, nothing backend-specific.
 *
 * Each test's store stamps with a clock of its own (`ContractClock`): the real time until a test
 * moves it on, so times the store records can differ without a test sleeping.
 *
 * @example
 * runStoreContract('sqlite in memory', async ({ now }) => openSqliteStore(':memory:', { now }));
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { groupContract } from './contract/groups.case.js';
import { listContract } from './contract/lists.case.js';
import { outboxAgeContract } from './contract/outbox-age.case.js';
import { outboxContract } from './contract/outbox.case.js';
import { owedContract } from './contract/owed.case.js';
import { retentionContract } from './contract/retention.case.js';
import type { Store } from './store.js';

/** A getter for the fresh, empty store each test gets. */
export type CurrentStore = () => Store;

/** The clock the test's store stamps new notifications with: the real time plus what `advance` added. */
export interface ContractClock {
  now(): Date;
  advance(ms: number): void;
}

/** Opens a fresh, empty store stamping with `now`. */
export type NewContractStore = (options: { now: () => Date }) => Promise<Store>;

export function runStoreContract(name: string, newStore: NewContractStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store | undefined;
    let offsetMs = 0;
    const clock: ContractClock = {
      now: () => new Date(Date.now() + offsetMs),
      advance: (ms) => void (offsetMs += ms),
    };
    beforeEach(async () => {
      offsetMs = 0;
      store = await newStore({ now: clock.now });
    });
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });
    const current: CurrentStore = () => {
      if (!store) throw new Error('store used outside a test');
      return store;
    };
    groupContract(current);
    outboxContract(current);
    owedContract(current);
    outboxAgeContract(current, clock);
    listContract(current);
    retentionContract(current, clock);
  });
}
