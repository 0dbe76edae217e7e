/**
 * @module model/group
 * The unit of delivery: one Alertmanager group (groupKey) split per team.
 */
import type { Alert, AlertStatus, Labels } from './alert.js';

/** What changed in a group since its last notification. */
export type ChangeKind = 'new' | 'changed' | 'resolved' | 'repeat';

/**
 * A pre-rendered Slack message for a pseudo-group that is not an Alertmanager group (scheduled
 * uptime summaries, storm digests). It rides the same outbox, retries and Slack message refs.
 */
export interface OutboundMessage {
  text: string;
  blocks?: unknown[];
  /** Whether an edit also replies in the thread (default false: digests just update in place). */
  threadReply?: boolean;
}

/**
 * Everything a notifier needs to render a message for a group, frozen at the moment the
 * notification was decided (so a retry an hour later sends what was decided, not a later state).
 */
export interface GroupSnapshot {
  groupId: string;
  team: string;
  groupKey: string;
  receiver: string;
  status: AlertStatus;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: Alert[];
  change: { kind: ChangeKind; added: string[]; resolved: string[] };
  /** PagerDuty dedup_key: stable per group and team. */
  dedupKey: string;
  /**
   * Alerts of the group Alertmanager left out of the notification behind this snapshot (webhook
   * `max_alerts`); absent when it sent them all. Counts the whole group, every team's share.
   */
  truncatedAlerts?: number;
  /** Set for pseudo-groups: send this message instead of rendering the alerts. */
  message?: OutboundMessage;
}
