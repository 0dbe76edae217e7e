/**
 * @module pipeline/enqueue-message
 * Queue a pre-rendered Slack message (scheduled uptime summary, storm digest) through the same
 * durable outbox as alerts: it survives restarts and Slack outages, and is retried alike.
 *
 * Each message has a `key`; the key becomes a pseudo-group, decided under the store's lock, so
 * with several replicas a key is enqueued once (a report per period is posted once), and
 * `replace: true` edits the key's existing Slack message in place (a digest that grows).
 * `messageQueued` tells whether a key was ever queued (the record stays: retention keeps
 * alertgate's own records), so a scheduled report knows, on any replica and after a restart,
 * whether its period was posted.
 */
import type { OutboundMessage } from '../model/group.js';
import { PSEUDO_GROUP_KEYS, teamGroupId } from '../model/group-id.js';
import { messageSnapshot, pseudoGroupRecord, type PseudoGroup } from '../store/pseudo-group.js';
import type { Store } from '../store/store.js';

export interface MessageRequest {
  team: string;
  channel: string;
  /** Unique per message, e.g. `report:payments:monthly:2026-10`. */
  key: string;
  message: OutboundMessage;
  /** Edit the key's existing message instead of ignoring a repeat. */
  replace?: boolean;
}

/** The id of the pseudo-group of message `key` of `team`. */
export function messageGroupId(team: string, key: string): string {
  return teamGroupId(team, `${PSEUDO_GROUP_KEYS.messagePrefix}${key}`);
}

/** Whether message `key` of `team` was queued, by any replica, ever. */
export async function messageQueued(store: Store, team: string, key: string): Promise<boolean> {
  return (await store.getGroup(messageGroupId(team, key))) !== undefined;
}

export async function enqueueMessage(store: Store, req: MessageRequest, now: () => Date = () => new Date()): Promise<{ enqueued: boolean; groupId: string }> {
  const groupKey = `${PSEUDO_GROUP_KEYS.messagePrefix}${req.key}`;
  const groupId = messageGroupId(req.team, req.key);
  const target = { type: 'slack' as const, channel: req.channel };
  const pseudo: PseudoGroup = { id: groupId, team: req.team, groupKey, status: 'resolved', targets: [target] };
  const inserted = await store.updateGroups([groupId], (current) => {
    const existing = current.get(groupId);
    if (existing && !req.replace) return [];
    const kind = existing ? ('changed' as const) : ('new' as const);
    return [
      {
        group: pseudoGroupRecord(pseudo, existing, now()),
        notifications: [
          {
            groupId,
            team: req.team,
            target,
            kind,
            status: 'pending',
            snapshot: messageSnapshot(pseudo, kind, req.message),
            ...(existing ? { supersedesPending: true } : {}),
          },
        ],
      },
    ];
  });
  return { enqueued: inserted.length > 0, groupId };
}
