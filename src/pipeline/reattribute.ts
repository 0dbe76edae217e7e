/**
 * @module pipeline/reattribute
 * Firing alerts whose owner changed with the config (a namespace handed to another team, a team
 * onboarded away from the fallback team). Each webhook splits its alerts by the teams that own
 * them now, so without this the old owner's group would never hear of them again: its Slack
 * message would stay FIRING and its PagerDuty incident open for ever, while the new owner would
 * hear of them only at Alertmanager's next resend (its repeat interval, hours).
 *
 * At start, and after a reload that changed who owns what (`ownershipSignature`), a pass over
 * the firing alerts moves each one whose team changed: in the old team's group it is marked
 * resolved (so that group's episode updates or resolves, on every target it was announced to),
 * and it joins the new team's group, beside the alerts that group holds, as a webhook carrying
 * them all would (routes, dedup, maintenance, storms as usual). Both happen in one decision under the store's lock, and the move is decided
 * again there, so replicas running the same pass, or a webhook meanwhile, cannot move an alert
 * twice.
 *
 * The pass reads the alert lists a page at a time and attributes each alert from the list record
 * itself; only a group with an alert that moves is read whole. It yields to the event loop after
 * every page and every move: the SQLite store reads synchronously, and a pass over 800,000 firing
 * alerts run as one chain of promises held the event loop for 17 s (health checks, webhooks).
 */
import { attribute } from '../attribute/attribute.js';
import type { RoutingConfig } from '../config/types.js';
import type { TeamGroupUpdate } from '../dedup/decide.js';
import type { Alert } from '../model/alert.js';
import { isReservedGroupKey, teamGroupId } from '../model/group-id.js';
import type { GroupRecord, Store } from '../store/store.js';
import { updateGroupsLockingChannels } from '../storm/channel-locks.js';
import { digestedByTeam } from '../storm/storm-control.js';
import { decideUpdates, lockedIds, type AcceptOptions } from './accept.js';
import { routeTargets, updateFromRecord } from './split-by-team.js';

/** Alerts listed per page while looking for firing groups. */
const PAGE = 1000;

export interface MovedAlerts {
  /** Alerts moved, by "from → to" team. */
  moves: Record<string, number>;
  groups: number;
}

/** The firing alerts of `g` another team owns now, by that team. */
function movedAway(g: GroupRecord, config: RoutingConfig): Map<string, Alert[]> {
  const byTeam = new Map<string, Alert[]>();
  for (const alert of g.alerts) {
    if (alert.status !== 'firing') continue;
    const { team } = attribute(alert.labels, config);
    if (team === g.team) continue;
    // Appended in place: copying the list for each alert made a big move quadratic (20,000
    // alerts of one group leaving held the event loop for seconds, twice: before and under the lock).
    const list = byTeam.get(team);
    if (list) list.push(alert);
    else byTeam.set(team, [alert]);
  }
  return byTeam;
}

/** The groups a move out of `g` writes: `g` itself and each receiving team's group of the same groupKey. */
function movingIds(g: GroupRecord, moved: Map<string, Alert[]>): Pick<TeamGroupUpdate, 'groupId' | 'team'>[] {
  return [{ groupId: g.id, team: g.team }, ...[...moved.keys()].map((team) => ({ groupId: teamGroupId(team, g.groupKey), team }))];
}

/**
 * The decision for one group: the old team's update with the moved alerts resolved, and each new
 * team's with them firing. `current`: the groups as read under the lock.
 */
function moveUpdates(g: GroupRecord, moved: Map<string, Alert[]>, current: ReadonlyMap<string, GroupRecord>, config: RoutingConfig, at: Date): TeamGroupUpdate[] {
  const endsAt = at.toISOString();
  const leaving = new Set([...moved.values()].flat().map((a) => a.fingerprint));
  const left: GroupRecord = { ...g, alerts: g.alerts.map((a) => (leaving.has(a.fingerprint) ? { ...a, status: 'resolved', endsAt } : a)) };
  const old = updateFromRecord(left, config);
  // The old episode's targets come from the group itself (decideGroup keeps them); its routes
  // may not own these alerts any more.
  const joining = [...moved].map(([team, alerts]): TeamGroupUpdate => {
    const teamConfig = config.teams.get(team);
    const groupId = teamGroupId(team, g.groupKey);
    // Dedup takes an update for the whole group, so the moved alerts join the ones the team's
    // group holds already (one Alertmanager group can span teams): sent alone, they would
    // resolve those, still firing, and say so in the team's channel.
    const staying = (current.get(groupId)?.alerts ?? []).filter((a) => !leaving.has(a.fingerprint));
    const joined = [...staying, ...alerts];
    return {
      groupId,
      team,
      notification: old.notification,
      alerts: joined,
      targets: routeTargets(team, joined, config),
      dedupWindowMs: teamConfig?.dedup.windowMs ?? old.dedupWindowMs,
      // The moved alerts fire: the group's resolved copy of one, left by an earlier move away
      // from this team, must not be taken for newer (an ownership change undone).
      fromStore: true,
    };
  });
  return [old, ...joining];
}

/** Let timers and I/O run: the SQLite store's reads never leave the event loop. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Ids of the groups with a firing alert another team owns now (the alert lists, page by page). */
async function groupsWithMovedAlerts(store: Store, config: RoutingConfig, signal?: AbortSignal): Promise<string[]> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.listAlerts({ status: 'firing', limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const a of page.items) if (attribute(a.labels, config).team !== a.team) ids.add(a.groupId);
    cursor = page.nextCursor ?? undefined;
    await yieldToEventLoop();
  } while (cursor && !signal?.aborted);
  return [...ids];
}

/**
 * What attribution depends on (attribute/attribute.ts): the team names (a `team` label counts
 * only for a known team), what each team owns, and the fallback team. Equal signatures attribute
 * every alert alike, so a reload that keeps it needs no pass.
 */
export function ownershipSignature(config: RoutingConfig | undefined): string {
  if (!config) return '';
  const teams = [...config.teams.values()]
    .map((t) => [t.team, t.owns.namespaces, t.owns.matchers.map((m) => m.source)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([config.fallbackTeam, teams]);
}

/** One pass over the firing groups; answers what moved. */
export async function reattributeFiring(
  store: Store,
  config: RoutingConfig,
  opts: Pick<AcceptOptions, 'now' | 'publicUrl' | 'stormWindowMs'> & {
    signal?: AbortSignal;
    /** Moved groups storm control gathered into a digest (alertgate_storm_groups_digested_total, as a webhook's). */
    onDigested?: (team: string, groups: number) => void;
  } = {},
): Promise<MovedAlerts> {
  const now = opts.now ?? (() => new Date());
  const result: MovedAlerts = { moves: {}, groups: 0 };
  for (const id of await groupsWithMovedAlerts(store, config, opts.signal)) {
    if (opts.signal?.aborted) break;
    await yieldToEventLoop();
    const seen = await store.getGroup(id);
    if (!seen || isReservedGroupKey(seen.groupKey)) continue;
    const expected = movedAway(seen, config);
    if (expected.size === 0) continue;
    // Lock what a decision over the old group and every team it may move to touches.
    const { groupIds, stateIds, channelIds } = lockedIds(movingIds(seen, expected), config);
    let decided: { from: string; moved: Map<string, Alert[]> } | undefined;
    const inserted = await updateGroupsLockingChannels(store, [...groupIds, ...stateIds, ...channelIds], (current, alsoLocked) => {
      decided = undefined;
      const g = current.get(id);
      if (!g) return [];
      // Decided again under the lock: only what still moves, and only to teams locked here.
      const moved = new Map([...movedAway(g, config)].filter(([team]) => groupIds.includes(teamGroupId(team, g.groupKey))));
      if (moved.size === 0) return [];
      decided = { from: g.team, moved };
      const at = now();
      return decideUpdates(moveUpdates(g, moved, current, config, at), current, config, at, { ...opts, alsoLocked });
    });
    for (const [team, groups] of digestedByTeam(inserted)) opts.onDigested?.(team, groups);
    const done = decided as { from: string; moved: Map<string, Alert[]> } | undefined;
    if (!done) continue;
    result.groups++;
    for (const [team, alerts] of done.moved) {
      const key = `${done.from} → ${team}`;
      result.moves[key] = (result.moves[key] ?? 0) + alerts.length;
    }
  }
  return result;
}
