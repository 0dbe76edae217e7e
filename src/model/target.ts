/**
 * @module model/target
 * Where a notification goes. Secrets (Slack token, PagerDuty routing keys) are never part of
 * a target: they are resolved at send time, so they never reach the store, the API or logs.
 */

export const RECEIVER_TYPES = ['slack', 'pagerduty'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

export type Target =
  | { type: 'slack'; channel: string }
  /** The routing key is looked up from the team's config (`routingKeyEnv`/`routingKeyFile`) when sending. */
  | { type: 'pagerduty'; team: string };

/** Stable string identity of a target, used for ordering and uniqueness in the outbox. */
export function targetKey(t: Target): string {
  return t.type === 'slack' ? `slack:${t.channel}` : `pagerduty:${t.team}`;
}

/** The receiver a target key belongs to: keys begin with it (the stores' claim indexes split them the same way). */
export function receiverOfKey(key: string): ReceiverType {
  return key.slice(0, key.indexOf(':')) as ReceiverType;
}
