/**
 * @module maintenance/hold
 * Maintenance windows (pure, run inside the store's lock after dedup): a new or changed firing
 * group whose every firing alert is covered by an open window is held — its notifications are
 * recorded as suppressed and the group's own record says until when (`heldUntil`: the end of the
 * window holding it). When the window ends (or is deleted) a still-firing held group is delivered
 * once (release.ts); one that resolved inside the window and was never announced sends nothing.
 * Resolutions of groups announced before the window are delivered normally.
 *
 * Holding a group writes nothing but the group: in a flood under a window, what a webhook reads
 * and writes does not grow with the number of groups held (docs/performance.md, "twelfth session").
 */
import type { RoutingConfig } from '../config/types.js';
import type { GroupRecord, GroupWrite, NewNotification } from '../store/store.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState, type MaintenanceState } from './state.js';
import { holdingWindow, openWindows } from './windows.js';

export const RESOLVED_INSIDE_REASON = 'maintenance: resolved inside the window, never announced';
const HELD_PREFIX = 'maintenance: ';

/** Whether a suppressed notification's reason says a window held it (to be delivered when it ends). */
export function isHeldReason(reason: string | null | undefined): boolean {
  return reason != null && reason.startsWith(HELD_PREFIX) && reason !== RESOLVED_INSIDE_REASON;
}

interface TeamState {
  prev: GroupRecord | undefined;
  state: MaintenanceState;
  /** A group listed by a version before was met: the list is written without it. */
  changed: boolean;
}

function suppress(notifications: NewNotification[], reason: string): void {
  for (const n of notifications) {
    if (n.status !== 'pending') continue;
    n.status = 'suppressed';
    n.reason = reason;
  }
}

export function applyMaintenance(writes: GroupWrite[], current: Map<string, GroupRecord>, config: RoutingConfig, now: Date): GroupWrite[] {
  const teams = new Map<string, TeamState>();
  const teamState = (team: string): TeamState => {
    let t = teams.get(team);
    if (!t) {
      const prev = current.get(maintenanceStateId(team));
      t = { prev, state: readMaintenanceState(prev), changed: false };
      teams.set(team, t);
    }
    return t;
  };

  for (const w of writes) {
    const pending = w.notifications.filter((n) => n.status === 'pending');
    if (pending.length === 0) {
      // Nothing fires any more: nothing is left to hold, though nothing is told either. A group
      // whose alerts moved to another team after its own team was removed has no target left
      // (never announced, and no routes): held on, no release pass (they go by the teams in the
      // config) would ever look at it again, and retention never prunes a held group.
      if (w.group.heldUntil !== undefined && !w.group.alerts.some((a) => a.status === 'firing')) delete w.group.heldUntil;
      continue;
    }
    const t = teamState(w.group.team);
    const prev = current.get(w.group.id);
    const wasHeld = prev?.heldUntil !== undefined || takeListed(t, w.group.id);

    if (pending[0]!.kind === 'resolved') {
      if (!wasHeld) continue;
      delete w.group.heldUntil;
      if (prev?.notifiedHash == null) suppress(w.notifications, RESOLVED_INSIDE_REASON);
      continue;
    }
    const window = holdingWindow(openWindows(config.teams.get(w.group.team), t.state.windows, now), w.group.alerts);
    if (!window) {
      delete w.group.heldUntil;
      continue;
    }
    suppress(w.notifications, `${HELD_PREFIX}${window.reason}`);
    // Nothing was told: keep what the team was last told, so the end of the window sees a change.
    w.group.notifiedHash = prev?.notifiedHash ?? null;
    w.group.notifiedAt = prev?.notifiedAt ?? null;
    w.group.targets = prev?.targets ?? [];
    // Held, perhaps now by a window ending sooner than the one that held it first.
    w.group.heldUntil = window.end.getTime();
  }

  const stateWrites = [...teams.entries()]
    .filter(([, t]) => t.changed)
    .map(([team, t]) => ({ group: maintenanceRecord(team, t.state, t.prev, now), notifications: [] }));
  return [...writes, ...stateWrites];
}

/** Whether the state of a version before lists the group as held; from now on its own record says. */
function takeListed(t: TeamState, id: string): boolean {
  if (t.state.legacyHeld.empty || !t.state.legacyHeld.has(id)) return false;
  t.state.legacyHeld.delete(id);
  t.changed = true;
  return true;
}
