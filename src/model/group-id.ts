/**
 * @module model/group-id
 * Stable identities of a team group (Alertmanager groupKey split per team).
 */
import { sha256Hex } from './sha256.js';

export function teamGroupId(team: string, groupKey: string): string {
  // One-shot hash: the same bytes as hashing team, NUL and groupKey in turn, at half the cost.
  return sha256Hex(`${team}\0${groupKey}`).slice(0, 32);
}

/**
 * Group keys of alertgate's own records (pseudo-groups: maintenance state, storm state per
 * channel, scheduled messages). They share the id space of alert groups, so a webhook carrying
 * one of them would overwrite that record: such webhooks are refused (ingest/webhook-schema.ts).
 * Alertmanager's own keys always start with `{`.
 */
export const PSEUDO_GROUP_KEYS = { maintenance: 'maintenance', stormPrefix: 'storm:', messagePrefix: 'message:' } as const;

/** A group key reserved for alertgate's own records (see PSEUDO_GROUP_KEYS). */
export function isReservedGroupKey(groupKey: string): boolean {
  return groupKey === PSEUDO_GROUP_KEYS.maintenance || groupKey.startsWith(PSEUDO_GROUP_KEYS.stormPrefix) || groupKey.startsWith(PSEUDO_GROUP_KEYS.messagePrefix);
}

/** Ids of state pseudo-groups, by team NUL group key (see stateGroupId). */
const stateIds = new Map<string, string>();
const MAX_STATE_IDS = 4096;

/**
 * `teamGroupId` of a per-team state pseudo-group (storm state per Slack channel, maintenance
 * holds): every webhook asks for several, always the same few, so they are kept, not rehashed.
 */
export function stateGroupId(team: string, groupKey: string): string {
  const key = `${team}\0${groupKey}`;
  let id = stateIds.get(key);
  if (id === undefined) {
    // A bound for configs that churn teams or channels for weeks; a few per team is the norm.
    if (stateIds.size >= MAX_STATE_IDS) stateIds.clear();
    stateIds.set(key, (id = teamGroupId(team, groupKey)));
  }
  return id;
}

/** PagerDuty dedup_key: one per group and team, stable across restarts and replicas. */
export function pagerDutyDedupKey(groupId: string): string {
  return `alertgate-${groupId}`;
}
