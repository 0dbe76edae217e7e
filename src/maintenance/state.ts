/**
 * @module maintenance/state
 * Per team: ad-hoc maintenance windows (created through the API). Kept in the store as a per-team
 * pseudo-group, so it is read under the same lock as the groups a window holds and shared by
 * every replica. Which groups a window holds is kept on their own rows (`GroupRecord.heldUntil`),
 * so the state does not grow with a flood. Only this module knows the encoding.
 */
import { PSEUDO_GROUP_KEYS, stateGroupId } from '../model/group-id.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord } from '../store/store.js';
import { HeldGroups } from './held-groups.js';

export interface StoredWindow {
  id: string;
  team: string;
  matchers: string[];
  /** RFC3339. */
  start: string;
  end: string;
  reason: string;
  createdAt: string;
}

export interface MaintenanceState {
  windows: StoredWindow[];
  /**
   * Groups held by a window, as listed here by a version before the hold was kept on the group's
   * own row (`GroupRecord.heldUntil`). Never added to any more: the release pass moves each to
   * its group's row (release.ts), so a state written before an upgrade loses none of its holds.
   */
  legacyHeld: HeldGroups;
}

const STATE_KEY = 'alertgate.maintenance';

export function maintenanceGroupKey(): string {
  return PSEUDO_GROUP_KEYS.maintenance;
}

export function maintenanceStateId(team: string): string {
  return stateGroupId(team, maintenanceGroupKey());
}

/**
 * Where a version before kept the held groups: an annotation of their own (one string), or
 * before that `held` inside the state's JSON (an array).
 */
const HELD_KEY = 'alertgate.maintenance.held';

export function readMaintenanceState(record: GroupRecord | undefined): MaintenanceState {
  const raw = record?.commonAnnotations[STATE_KEY];
  const parsed = raw ? (JSON.parse(raw) as { windows?: StoredWindow[]; held?: unknown }) : {};
  return { windows: parsed.windows ?? [], legacyHeld: HeldGroups.stored(record?.commonAnnotations[HELD_KEY] ?? parsed.held) };
}

export function maintenanceRecord(team: string, state: MaintenanceState, prev: GroupRecord | undefined, now: Date): GroupRecord {
  return pseudoGroupRecord(
    {
      id: maintenanceStateId(team),
      team,
      groupKey: maintenanceGroupKey(),
      // Nothing reads it: it said whether any group was held while the state listed them.
      status: 'resolved',
      annotations: {
        [STATE_KEY]: JSON.stringify({ windows: state.windows }),
        ...(state.legacyHeld.empty ? {} : { [HELD_KEY]: state.legacyHeld.toJSON() }),
      },
    },
    prev,
    now,
  );
}
