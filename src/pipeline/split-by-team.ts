/**
 * @module pipeline/split-by-team
 * Attribution + routing stage: split one Alertmanager notification into per-team groups, each
 * with the delivery targets its alerts' routes give. Every alert lands in exactly one team group
 * (attribution always answers, falling back to FALLBACK_TEAM), so none is dropped here.
 */
import type { RoutingConfig } from '../config/types.js';
import type { Alert, IncomingNotification } from '../model/alert.js';
import { teamGroupId } from '../model/group-id.js';
import type { Target } from '../model/target.js';
import { attribute } from '../attribute/attribute.js';
import { addRouteTargets } from '../route/resolve-targets.js';
import type { TeamGroupUpdate } from '../dedup/decide.js';
import type { GroupRecord } from '../store/store.js';

const DEFAULT_DEDUP_WINDOW_MS = 4 * 3_600_000;

/** Union of the targets the team's routes give each alert (stable order). */
export function routeTargets(team: string, alerts: readonly Alert[], config: RoutingConfig): Target[] {
  const teamConfig = config.teams.get(team);
  const targets = new Map<string, Target>();
  if (teamConfig) {
    for (const alert of alerts) {
      addRouteTargets(alert.labels, teamConfig, config, targets);
    }
  }
  return [...targets.values()];
}

function dedupWindow(team: string, config: RoutingConfig): number {
  return config.teams.get(team)?.dedup.windowMs ?? DEFAULT_DEDUP_WINDOW_MS;
}

export function splitByTeam(n: IncomingNotification, config: RoutingConfig): TeamGroupUpdate[] {
  const byTeam = new Map<string, Alert[]>();
  for (const alert of n.alerts) {
    const { team } = attribute(alert.labels, config);
    const list = byTeam.get(team);
    if (list) list.push(alert);
    else byTeam.set(team, [alert]);
  }
  const { alerts: _all, ...shared } = n;
  return [...byTeam.entries()].map(([team, alerts]) => ({
    groupId: teamGroupId(team, n.groupKey),
    team,
    notification: shared,
    alerts,
    targets: routeTargets(team, alerts, config),
    dedupWindowMs: dedupWindow(team, config),
  }));
}

/**
 * The team groups a notification shows no alert of, when it is truncated (max_alerts) and all
 * resolved: Alertmanager's status then says the whole group resolved (dedup/merge-alerts.ts,
 * mergeTruncated), but a team whose alerts were all left out gets no share of it, and its group
 * would stay firing, its PagerDuty incident open, for ever. Every other team's group is read
 * under the lock (teamsUnshown); on this rare path only, so an ordinary webhook reads nothing more.
 */
export function unshownTeamGroups(n: IncomingNotification, updates: readonly TeamGroupUpdate[], config: RoutingConfig): { team: string; groupId: string }[] {
  if (n.truncatedAlerts === 0 || n.status !== 'resolved') return [];
  const shown = new Set(updates.map((u) => u.team));
  const teams = new Set([...config.teams.keys(), config.fallbackTeam]);
  return [...teams].filter((team) => !shown.has(team)).map((team) => ({ team, groupId: teamGroupId(team, n.groupKey) }));
}

/**
 * Updates with no alert for the stored groups among `unshown` (unshownTeamGroups) that still
 * have a firing alert: dedup resolves those alerts with the notification's, to every target the
 * episode was announced to.
 */
export function teamsUnshown(
  n: IncomingNotification,
  unshown: readonly { groupId: string }[],
  current: ReadonlyMap<string, GroupRecord>,
  config: RoutingConfig,
): TeamGroupUpdate[] {
  const { alerts: _all, ...shared } = n;
  const updates: TeamGroupUpdate[] = [];
  for (const { groupId } of unshown) {
    const g = current.get(groupId);
    if (!g || !g.alerts.some((a) => a.status === 'firing')) continue;
    updates.push({ groupId, team: g.team, notification: shared, alerts: [], targets: [], dedupWindowMs: dedupWindow(g.team, config) });
  }
  return updates;
}

/** Re-run a stored group through dedup as if Alertmanager had resent it (maintenance release). */
export function updateFromRecord(g: GroupRecord, config: RoutingConfig): TeamGroupUpdate {
  return {
    groupId: g.id,
    team: g.team,
    notification: {
      receiver: g.receiver,
      status: g.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      groupKey: g.groupKey,
      groupLabels: g.groupLabels,
      commonLabels: g.commonLabels,
      commonAnnotations: g.commonAnnotations,
      externalURL: g.externalURL,
      truncatedAlerts: 0,
    },
    alerts: g.alerts,
    targets: routeTargets(g.team, g.alerts, config),
    dedupWindowMs: dedupWindow(g.team, config),
  };
}
