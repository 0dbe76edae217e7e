/**
 * @module model/target
 * Where a notification goes. Secrets (Slack token, PagerDuty routing keys) are never part of
 * a target: they are resolved at send time, so they never reach the store, the API or logs.
 */

export const RECEIVER_TYPES = ['slack', 'pagerduty'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** Where a PagerDuty routing key is read: a variable's name or a file's path, never the key. */
export interface PagerDutyKeySource {
  routingKeyEnv?: string;
  routingKeyFile?: string;
}

export type Target =
  | { type: 'slack'; channel: string }
  /**
   * The routing key is looked up when sending. `keySource`: the team's `pagerduty:` source when
   * the routes gave this target; a group's episode keeps its first target (dedup/decide.ts), so
   * its updates and resolve go with the key that opened the incident, even after the team moved
   * to another PagerDuty service (PagerDuty dedups by routing key and dedup_key). Absent on
   * targets stored before it was recorded: the team's live source is used.
   */
  | { type: 'pagerduty'; team: string; keySource?: PagerDutyKeySource };

/** Stable string identity of a target, used for ordering and uniqueness in the outbox. */
export function targetKey(t: Target): string {
  return t.type === 'slack' ? `slack:${t.channel}` : `pagerduty:${t.team}`;
}

/** The receiver a target key belongs to: keys begin with it (the stores' claim indexes split them the same way). */
export function receiverOfKey(key: string): ReceiverType {
  return key.slice(0, key.indexOf(':')) as ReceiverType;
}
