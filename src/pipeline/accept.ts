/**
 * @module pipeline/accept
 * ingest → attribution/routing → dedup, committed in one store transaction. When this resolves,
 * the alerts and every notification they cause are durable: the webhook may answer 202.
 */
import type { RoutingConfig } from '../config/types.js';
import type { IncomingNotification } from '../model/alert.js';
import type { NotificationRecord, Store } from '../store/store.js';
import { decideGroup } from '../dedup/decide.js';
import { splitByTeam } from './split-by-team.js';

export interface AcceptResult {
  teams: { team: string; alerts: number; firing: number; resolved: number }[];
  notifications: NotificationRecord[];
}

export async function acceptNotification(
  store: Store,
  config: RoutingConfig,
  n: IncomingNotification,
  now: () => Date = () => new Date(),
): Promise<AcceptResult> {
  const updates = splitByTeam(n, config);
  const notifications = await store.updateGroups(
    updates.map((u) => u.groupId),
    (current) => {
      const at = now();
      return updates.map((u) => decideGroup(current.get(u.groupId), u, at));
    },
  );
  const teams = updates.map((u) => ({
    team: u.team,
    alerts: u.alerts.length,
    firing: u.alerts.filter((a) => a.status === 'firing').length,
    resolved: u.alerts.filter((a) => a.status === 'resolved').length,
  }));
  return { teams, notifications };
}
