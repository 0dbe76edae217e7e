/**
 * @module model/group-id
 * Stable identities of a team group (Alertmanager groupKey split per team).
 */
import { hash } from 'node:crypto';

export function teamGroupId(team: string, groupKey: string): string {
  // One-shot hash: the same bytes as hashing team, NUL and groupKey in turn, at half the cost.
  return hash('sha256', `${team}\0${groupKey}`, 'hex').slice(0, 32);
}

/** PagerDuty dedup_key: one per group and team, stable across restarts and replicas. */
export function pagerDutyDedupKey(groupId: string): string {
  return `alertgate-${groupId}`;
}
