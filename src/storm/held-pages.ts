/**
 * @module storm/held-pages
 * storm.holdPagerDuty, when a storm ends: each group its digest gathered that is still firing and
 * whose episode never paged (PagerDuty is not among its targets: storm-control.ts holdPages drops
 * a held page's target) is paged now, once, with its usual dedup key. Without this a group still
 * firing when the storm ends paged nobody until it happened to change. Groups that resolved
 * during the storm send nothing (their resolution already reached PagerDuty only if they paged).
 *
 * Decided in the write that ends the storm (storm-control.ts endQuietStorms), under the lock of
 * the channel's state and of the gathered groups: the page is queued in the same commit as the
 * end, so a crash cannot lose it, and only the replica whose write ends the storm pages (another
 * replica's ticker finds the storm over). The storm ticker reads the gathered groups' ids before
 * the lock (Store.stormGroupIds); a storm whose groups it did not read is not ended by that pass.
 */
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import type { GroupSnapshot } from '../model/group.js';
import { pagerDutyDedupKey } from '../model/group-id.js';
import { targetKey, type Target } from '../model/target.js';
import { routeTargets } from '../pipeline/split-by-team.js';
import { firingFingerprints } from '../dedup/merge-alerts.js';
import type { GroupRecord, GroupWrite, NewNotification } from '../store/store.js';
import { channelGroupId, readChannelState } from './channel-state.js';

/** A storm of a channel: its team, channel and start (Unix ms), as the gathered groups' rows name it. */
export interface StormRef {
  team: string;
  channel: string;
  storm: number;
}

/** Identity of a storm, for sets of them. */
export function stormKey(s: StormRef): string {
  return `${channelGroupId(s.team, s.channel)}@${s.storm}`;
}

/** The team holds a digested group's pages back (storm.holdPagerDuty), and has PagerDuty to page. */
export function holdsPages(team: TeamConfig | undefined): boolean {
  return team?.storm?.holdPagerDuty === true && team.pagerduty !== undefined;
}

/**
 * The pages owed at the end of `ended` storms, for the groups of `current` (read under the lock)
 * that they gathered. A group one of its other channels' storms still gathers is left to that
 * storm's end (its pages are held while any storm gathering it goes on); one a maintenance window
 * holds, to the window's release.
 */
export function pageHeldGroups(ended: readonly StormRef[], current: Map<string, GroupRecord>, config: RoutingConfig, now: Date): GroupWrite[] {
  const endedKeys = new Set(ended.map(stormKey));
  const writes: GroupWrite[] = [];
  for (const g of current.values()) {
    const marks = Object.entries(g.stormDigests ?? {});
    if (!marks.some(([channel, m]) => endedKeys.has(stormKey({ team: g.team, channel, storm: m.storm })))) continue;
    if (!holdsPages(config.teams.get(g.team)) || g.status !== 'firing' || g.heldUntil !== undefined) continue;
    const stillGathered = marks.some(([channel, m]) => {
      const record = current.get(channelGroupId(g.team, channel));
      const state = record && readChannelState(record);
      return state?.active === true && state.stormStartedAt === m.storm && !endedKeys.has(stormKey({ team: g.team, channel, storm: m.storm }));
    });
    if (stillGathered) continue;
    const paged = new Set(g.targets.map(targetKey));
    const pages = routeTargets(g.team, g.alerts, config).filter((t) => t.type === 'pagerduty' && !paged.has(targetKey(t)));
    if (pages.length > 0) writes.push(pageWrite(g, pages, now));
  }
  return writes;
}

/** The group's first page of its episode (a trigger), its targets now including PagerDuty: its resolution will reach it. */
function pageWrite(g: GroupRecord, pages: Target[], now: Date): GroupWrite {
  const snapshot: GroupSnapshot = {
    groupId: g.id,
    team: g.team,
    groupKey: g.groupKey,
    receiver: g.receiver,
    status: 'firing',
    groupLabels: g.groupLabels,
    commonLabels: g.commonLabels,
    commonAnnotations: g.commonAnnotations,
    externalURL: g.externalURL,
    alerts: g.alerts,
    change: { kind: 'new', added: firingFingerprints(g.alerts), resolved: [] },
    dedupKey: pagerDutyDedupKey(g.id),
  };
  const notifications: NewNotification[] = pages.map((target) => ({ groupId: g.id, team: g.team, target, kind: 'new', status: 'pending', snapshot }));
  return { group: { ...g, targets: [...g.targets, ...pages], updatedAt: now.toISOString() }, notifications };
}
