/**
 * @module store/store.case
 * The `Store` contract suite, run by every implementation's tests (after Hono's
 * `common.case.test.ts`): behaviour through the public interface only, nothing backend-specific.
 *
 * @example
 * runStoreContract('sqlite in memory', async () => openSqliteStore(':memory:'));
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { groupContract } from './contract/groups.case.js';
import { listContract } from './contract/lists.case.js';
import { outboxContract } from './contract/outbox.case.js';
import { retentionContract } from './contract/retention.case.js';
import type { Store } from './store.js';

/** A getter for the fresh, empty store each test gets. */
export type CurrentStore = () => Store;

export function runStoreContract(name: string, newStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store | undefined;
    beforeEach(async () => {
      store = await newStore();
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
    listContract(current);
    retentionContract(current);
  });
}
