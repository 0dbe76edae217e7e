/**
 * @module model/group
 * The unit of delivery: one Alertmanager group (groupKey) split per team.
 */
import type { Alert, AlertStatus, Labels } from './alert.js';

/** What changed in a group since its last notification. */
export type ChangeKind = 'new' | 'changed' | 'resolved' | 'repeat';

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
}
