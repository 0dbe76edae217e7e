/**
 * @module storm/channel-locks
 * A decision reads and writes, under the store's lock, the storm state of every channel its
 * groups' Slack messages go to. Callers lock the channels the config names (the ids must be known
 * before the groups are read); an episode announced to a channel a reload dropped since still
 * goes there, and storm control then asks for that channel (ChannelsNotLocked). The decision is
 * made again with it locked too. Only webhooks for such episodes pay the second round.
 */
import type { GroupRecord, GroupWrite, NotificationRecord, Store, UpdateOptions } from '../store/store.js';
import { ChannelsNotLocked } from './storm-control.js';

/**
 * `store.updateGroups` over `ids`, and the channel states storm control asks for: `decide` gets
 * the ids of those (StormContext.alsoLocked).
 */
export async function updateGroupsLockingChannels(
  store: Store,
  ids: string[],
  decide: (current: Map<string, GroupRecord>, alsoLocked: ReadonlySet<string>) => GroupWrite[],
  opts: UpdateOptions = {},
): Promise<NotificationRecord[]> {
  const alsoLocked = new Set<string>();
  for (;;) {
    try {
      // The asked-for channels are never among `ids` (those the config names): no dedup needed.
      return await store.updateGroups(alsoLocked.size === 0 ? ids : [...ids, ...alsoLocked], (current) => decide(current, alsoLocked), opts);
    } catch (err) {
      // The store rejects with what decide threw (and wrote nothing). Asked again for the same channels: a bug, not a retry.
      if (!(err instanceof ChannelsNotLocked) || err.ids.every((id) => alsoLocked.has(id))) throw err;
      for (const id of err.ids) alsoLocked.add(id);
    }
  }
}
