/**
 * @module storm/held-pages
 * storm.holdPagerDuty, when a storm ends: each group its digest gathered that is still firing and
 * whose episode never paged (PagerDuty is not among its targets: storm-control.ts holdPages drops
 * a held page's target) is paged, once, with its usual dedup key. Without this a group still
 * firing when the storm ended paged nobody until it happened to change. Groups that resolved
 * during the storm send nothing (their resolution reaches PagerDuty only if they paged).
 *
 * The write that ends the storm (storm-control.ts endQuietStorms, under the lock of the channel's
 * state: one replica's) records in that state that the storm's pages are owed (`pagesOwed`), so
 * a crash cannot lose them, and pays them in the same write when the storm ticker read the
 * gathered groups' ids before the lock (Store.stormGroupIds) and they fit in one batch. A bigger
 * storm's groups are paid a batch per write, each under the lock of the channel's state and of
 * the batch's groups, the state's cursor moving with it. A page adds PagerDuty to the group's
 * targets in the same write, so no later batch, replica or pass pages it again. A group a
 * maintenance window covers then is held instead (the write locks the team's maintenance state),
 * and the window's release pays its page (withOwedPage), if it is still firing.
 */
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import type { GroupSnapshot } from '../model/group.js';
import { pagerDutyDedupKey } from '../model/group-id.js';
import { targetKey, type Target } from '../model/target.js';
import { routeTargets } from '../pipeline/split-by-team.js';
import { firingFingerprints } from '../model/content-hash.js';
import type { GroupRecord, GroupWrite, NewNotification } from '../store/store.js';
import { applyMaintenance } from '../maintenance/hold.js';
import { channelGroupId, readChannelState, type ChannelState, type PagesOwed } from './channel-state.js';

/**
 * Gathered groups looked at in one write. PostgreSQL takes an advisory lock per group written:
 * thousands in one transaction run out of its lock table (max_locks_per_transaction, 64 by
 * default), and the storm's end would fail on every pass. With SQLite a write's loading and
 * deciding run on the event loop (maintenance/release.ts RELEASE_BATCH says how long).
 */
export const PAGE_BATCH = 100;

/** One batch of an owed storm's gathered groups, read before the lock: ids in ascending order. */
export interface OwedBatch {
  ids: string[];
  /** No gathered group comes after these: the storm's pages are paid with this batch. */
  last: boolean;
}

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
 * The owed storms of a channel's state (read under the lock) that a batch was read for: the
 * storms to page this write's groups for. Each one's entry is dropped after its last batch, or its
 * cursor moved past the batch (never back: another replica may have paid further meanwhile; a
 * batch read before that overlaps what was paid, and its groups have paged). Changes `state`.
 */
export function payOwed(state: ChannelState, team: string, channel: string, batches: ReadonlyMap<string, OwedBatch> | undefined): StormRef[] {
  const paying: StormRef[] = [];
  const left: PagesOwed[] = [];
  for (const owed of state.pagesOwed ?? []) {
    const storm = { team, channel, storm: owed.storm };
    const batch = batches?.get(stormKey(storm));
    if (batch) paying.push(storm);
    if (batch?.last) continue;
    const end = batch?.ids.at(-1);
    const after = end !== undefined && (owed.after === undefined || end > owed.after) ? end : owed.after;
    left.push(after === undefined ? { storm: owed.storm } : { storm: owed.storm, after });
  }
  if (left.length > 0) state.pagesOwed = left;
  else delete state.pagesOwed;
  return paying;
}

/**
 * The pages owed by `paying` storms (ended), for the groups of `current` (read under the lock)
 * that they gathered. A group one of its other channels' storms still gathers is left to that
 * storm's end (its pages are held while any storm gathering it goes on); one a maintenance window
 * holds, to the window's release. A team that stopped holding pages since still pays what it held.
 * The writes go through the maintenance stage (`current` holds the paying teams' maintenance
 * states): a group a window covers now is held (`heldUntil`) and paged by the window's release.
 */
export function pageHeldGroups(paying: readonly StormRef[], current: Map<string, GroupRecord>, config: RoutingConfig, now: Date): GroupWrite[] {
  const endedKeys = new Set(paying.map(stormKey));
  const writes: GroupWrite[] = [];
  for (const g of current.values()) {
    const marks = Object.entries(g.stormDigests ?? {});
    if (!marks.some(([channel, m]) => endedKeys.has(stormKey({ team: g.team, channel, storm: m.storm })))) continue;
    if (g.heldUntil !== undefined) continue;
    const pages = owedPages(g, current, config, endedKeys);
    if (pages.length > 0) writes.push(pageWrite(g, pages, now));
  }
  return writes.length > 0 ? applyMaintenance(writes, current, config, now) : writes;
}

/**
 * The PagerDuty targets a group gathered by a storm is owed a page to: it is firing, no storm
 * gathering it goes on (`ended`: storms this write ends, whose states `current` still shows
 * active), and its episode never paged them (holdPages left them out of its targets).
 */
function owedPages(g: GroupRecord, current: Map<string, GroupRecord>, config: RoutingConfig, ended: ReadonlySet<string> = new Set()): Target[] {
  if (g.status !== 'firing' || g.stormDigests === undefined) return [];
  const stillGathered = Object.entries(g.stormDigests).some(([channel, m]) => {
    const record = current.get(channelGroupId(g.team, channel));
    const state = record && readChannelState(record);
    return state?.active === true && state.stormStartedAt === m.storm && !ended.has(stormKey({ team: g.team, channel, storm: m.storm }));
  });
  if (stillGathered) return [];
  const paged = new Set(g.targets.map(targetKey));
  return routeTargets(g.team, g.alerts, config).filter((t) => t.type === 'pagerduty' && !paged.has(targetKey(t)));
}

/**
 * A group a maintenance window held instead of paging it at its storm's end, released
 * (maintenance/release.ts) with nothing new to tell: dedup finds it notified (the digest told of
 * it), so `released` (as dedup decided it) sends no page. The page it is owed goes with it.
 * `current` holds the team's channel states, read under the lock.
 */
export function withOwedPage(released: GroupWrite, current: Map<string, GroupRecord>, config: RoutingConfig, now: Date): GroupWrite {
  const pages = owedPages(released.group, current, config);
  if (pages.length === 0) return released;
  const paid = pageWrite(released.group, pages, now);
  // Dedup's record of a duplicate to those targets (suppressed, within the dedup window) is the page's now.
  const paying = new Set(pages.map(targetKey));
  const others = released.notifications.filter((n) => !paying.has(targetKey(n.target)));
  return { group: paid.group, notifications: [...others, ...paid.notifications] };
}

/**
 * The group's first page of its episode (a trigger), its targets now including PagerDuty: its
 * resolution will reach it. No `truncatedAlerts`: the record does not keep how many alerts the
 * last webhook left out (as the maintenance release's snapshots, pipeline/split-by-team.ts
 * updateFromRecord); the page lists the alerts alertgate keeps.
 */
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
