import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { GroupRecord } from '../store/store.js';
import { updateGroupsLockingChannels } from './channel-locks.js';
import { ChannelsNotLocked } from './storm-control.js';

let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

describe('updateGroupsLockingChannels', () => {
  it('decides again with the channels storm control asked for locked too, and hands decide their ids', async () => {
    const calls: { ids: string[]; alsoLocked: string[] }[] = [];
    const written = await updateGroupsLockingChannels(store, ['g1', 'ch-a'], (current: Map<string, GroupRecord>, alsoLocked) => {
      calls.push({ ids: [...current.keys()], alsoLocked: [...alsoLocked] });
      if (!alsoLocked.has('ch-old')) throw new ChannelsNotLocked(['ch-old']);
      return [];
    });
    expect(written).toEqual([]);
    expect(calls.map((c) => c.alsoLocked)).toEqual([[], ['ch-old']]);
  });

  it('does not ask twice for the same channels: a decision that still misses them fails, as any other error does', async () => {
    let calls = 0;
    const asking = updateGroupsLockingChannels(store, ['g1'], () => {
      calls++;
      throw new ChannelsNotLocked(['ch-old']);
    });
    await expect(asking).rejects.toBeInstanceOf(ChannelsNotLocked);
    expect(calls).toBe(2);
    const failing = updateGroupsLockingChannels(store, ['g1'], () => {
      throw new Error('other');
    });
    await expect(failing).rejects.toThrow('other');
  });
});
