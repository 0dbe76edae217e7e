/**
 * @module model/group-id
 * Stable identities of a team group (Alertmanager groupKey split per team).
 */
import { createHash } from 'node:crypto';

export function teamGroupId(team: string, groupKey: string): string {
  return createHash('sha256').update(team).update('\0').update(groupKey).digest('hex').slice(0, 32);
}

/** PagerDuty dedup_key: one per group and team, stable across restarts and replicas. */
export function pagerDutyDedupKey(groupId: string): string {
  return `alertgate-${groupId}`;
}
