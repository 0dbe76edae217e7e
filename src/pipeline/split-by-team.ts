/**
 * @module pipeline/split-by-team
 * Attribution + routing stage: split one Alertmanager notification into per-team groups, each
 * with the delivery targets its alerts' routes give. Every alert lands in exactly one team group
 * (attribution always answers, falling back to FALLBACK_TEAM), so none is dropped here.
 */
import type { RoutingConfig } from '../config/types.js';
import type { Alert, IncomingNotification } from '../model/alert.js';
import { teamGroupId } from '../model/group-id.js';
import { targetKey, type Target } from '../model/target.js';
import { attribute } from '../attribute/attribute.js';
import { resolveRoutes } from '../route/resolve-targets.js';
import type { TeamGroupUpdate } from '../dedup/decide.js';

const DEFAULT_DEDUP_WINDOW_MS = 4 * 3_600_000;

export function splitByTeam(n: IncomingNotification, config: RoutingConfig): TeamGroupUpdate[] {
  const byTeam = new Map<string, { alerts: Alert[]; targets: Map<string, Target> }>();
  for (const alert of n.alerts) {
    const { team } = attribute(alert.labels, config);
    let entry = byTeam.get(team);
    if (!entry) byTeam.set(team, (entry = { alerts: [], targets: new Map() }));
    entry.alerts.push(alert);
    const teamConfig = config.teams.get(team);
    if (teamConfig) {
      for (const t of resolveRoutes(alert.labels, teamConfig, config).targets) entry.targets.set(targetKey(t), t);
    }
  }
  const { alerts: _all, ...shared } = n;
  return [...byTeam.entries()].map(([team, e]) => ({
    groupId: teamGroupId(team, n.groupKey),
    team,
    notification: shared,
    alerts: e.alerts,
    targets: [...e.targets.values()],
    dedupWindowMs: config.teams.get(team)?.dedup.windowMs ?? DEFAULT_DEDUP_WINDOW_MS,
  }));
}
