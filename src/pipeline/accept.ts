/**
 * @module pipeline/accept
 * ingest → attribution/routing → dedup → maintenance → storm control, committed in one store transaction.
 * When this resolves, the alerts and every notification they cause are durable: the webhook
 * may answer 202.
 */
import type { RoutingConfig } from '../config/types.js';
import type { IncomingNotification } from '../model/alert.js';
import type { GroupRecord, GroupWrite, LeaseOffer, NotificationRecord, Store } from '../store/store.js';
import { decideGroup, type TeamGroupUpdate } from '../dedup/decide.js';
import { holdsStaleCopy, newDedupTally, showsOnlyKnownEnds, TRUNCATED_END_COPY_WINDOW_MS, type DedupTally, type StoredAlerts } from '../dedup/merge-alerts.js';
import { channelGroupId, teamChannels } from '../storm/channel-state.js';
import { applyStormControl } from '../storm/storm-control.js';
import { updateGroupsLockingChannels } from '../storm/channel-locks.js';
import { applyMaintenance } from '../maintenance/hold.js';
import { maintenanceStateId } from '../maintenance/state.js';
import { splitByTeam, teamsUnshown, unshownTeamGroups } from './split-by-team.js';

export interface AcceptResult {
  teams: { team: string; alerts: number; firing: number; resolved: number }[];
  notifications: NotificationRecord[];
  /** What the committed decision's dedup ignored or ended unseen (its metrics). */
  dedup: DedupTally;
}

/**
 * A local outbox worker that takes what a webhook enqueues straight from its write (the store
 * leases the items to it with the write), instead of claiming them after a wake-up.
 */
export interface DeliveryHandOff {
  /** Reserve delivery slots for one write; undefined when none is free. */
  offer(): LeaseOffer | undefined;
  /** The write ended: what it returned (leased items carry `leasedTo`), or [] when it failed. */
  settle(offer: LeaseOffer, written: readonly NotificationRecord[]): void;
}

export interface AcceptOptions {
  now?: () => Date;
  /** Base URL of this gateway for links in messages (ALERTGATE_PUBLIC_URL). */
  publicUrl?: string;
  /** Storm counting window / quiet period (default one minute). */
  stormWindowMs?: number;
  /** Deliver this webhook's new items from this process as soon as they are committed. */
  handOff?: DeliveryHandOff;
}

/**
 * The store records one decision over `updates` reads and writes: their groups, and the
 * maintenance and storm state of their teams (the channels the config names; a channel an open
 * episode was announced to before a reload dropped it is asked for by storm control:
 * storm/channel-locks.ts).
 */
export function lockedIds(updates: readonly Pick<TeamGroupUpdate, 'groupId' | 'team'>[], config: RoutingConfig): { groupIds: string[]; stateIds: string[]; channelIds: string[] } {
  // Storm state of every channel these teams can reach is decided under the same lock.
  const channelIds = new Set<string>();
  for (const u of updates) {
    const team = config.teams.get(u.team);
    if (team) for (const channel of teamChannels(team)) channelIds.add(channelGroupId(u.team, channel));
  }
  return {
    groupIds: updates.map((u) => u.groupId),
    stateIds: [...new Set(updates.map((u) => maintenanceStateId(u.team)))],
    channelIds: [...channelIds],
  };
}

const NOTHING_STORED: StoredAlerts = { alerts: [] };

/**
 * dedup → maintenance holds → storm digests over `updates`, under the store's lock (held groups
 * never count towards a storm). `alsoLocked`: channel states locked besides `lockedIds`' (see
 * storm/channel-locks.ts). `tally`: counts what dedup ignored (a webhook's metrics).
 */
export function decideUpdates(
  updates: readonly TeamGroupUpdate[],
  current: Map<string, GroupRecord>,
  config: RoutingConfig,
  at: Date,
  opts: Pick<AcceptOptions, 'publicUrl' | 'stormWindowMs'> & { alsoLocked?: ReadonlySet<string>; repeatsTruncatedEnd?: boolean } = {},
  tally?: DedupTally,
): GroupWrite[] {
  // A stale copy in one team's share makes the whole notification an older snapshot (mergeWhole);
  // so does a copy of a truncated all-resolved one taken already (mergeTruncated): the caller
  // says so (repeatsTruncatedEnd), as it decides on it first which teams to update.
  const older =
    opts.repeatsTruncatedEnd === true ||
    (updates.length > 1 && updates.some((u) => !u.fromStore && u.notification.truncatedAlerts === 0 && holdsStaleCopy(current.get(u.groupId) ?? NOTHING_STORED, u.alerts, at)));
  const writes = applyMaintenance(
    updates.map((u) => decideGroup(current.get(u.groupId), older && !u.fromStore ? { ...u, olderSnapshot: true } : u, at, tally)),
    current,
    config,
    at,
  );
  // Storm control reads the channels' states and the groups' records before these writes.
  return applyStormControl(writes, current, {
    config,
    now: at,
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.stormWindowMs ? { windowMs: opts.stormWindowMs } : {}),
    ...(opts.alsoLocked ? { alsoLocked: opts.alsoLocked } : {}),
  });
}

/**
 * Whether `updates` (one notification's team shares) are a truncated all-resolved notification
 * whose shown alerts every team's group holds resolved already (showsOnlyKnownEnds), coming
 * within TRUNCATED_END_COPY_WINDOW_MS of the latest write of those groups: a copy of one
 * taken before, whose left-out alerts must not end again, in the teams it shows nothing of
 * either (teamsUnshown). A share with no alert (such a team's) says nothing either way.
 * Later, the same notification is the group's genuine end (Alertmanager shows the resolved
 * alerts Prometheus resends first), and ignoring it left the groups firing for good.
 * The mark is the groups' `updatedAt`, which the write taking the end set, or a newer one since:
 * no stamp of its own to store. Not `notifiedAt`: a decision a maintenance window held
 * (maintenance/hold.ts) or dedup suppressed (an end after a RESOLVED already sent) keeps the
 * group's old one, hours before, and the peer's copy then resolved the left-out alerts again.
 */
export function repeatsTruncatedEnd(updates: readonly TeamGroupUpdate[], current: ReadonlyMap<string, GroupRecord>, at: Date): boolean {
  // Every share is of the one notification: most are not truncated, and end here without a list built.
  const n = updates.find((u) => !u.fromStore)?.notification;
  if (n === undefined || n.truncatedAlerts === 0 || n.status !== 'resolved') return false;
  const shown = updates.filter((u) => !u.fromStore && u.alerts.length > 0);
  if (shown.length === 0) return false;
  if (!shown.every((u) => showsOnlyKnownEnds(current.get(u.groupId) ?? NOTHING_STORED, u.alerts))) return false;
  const lastWritten = Math.max(...shown.map((u) => Date.parse(current.get(u.groupId)?.updatedAt ?? '') || 0));
  return at.getTime() - lastWritten < TRUNCATED_END_COPY_WINDOW_MS;
}

export async function acceptNotification(store: Store, config: RoutingConfig, n: IncomingNotification, opts: AcceptOptions = {}): Promise<AcceptResult> {
  const now = opts.now ?? (() => new Date());
  const updates = splitByTeam(n, config);
  // A truncated all-resolved notification also resolves the groups of teams it shows nothing of
  // (their state locked as any team's); for every other webhook this is empty.
  const unshown = unshownTeamGroups(n, updates, config);
  const { groupIds, stateIds, channelIds } = lockedIds(unshown.length === 0 ? updates : [...updates, ...unshown], config);
  const offer = opts.handOff?.offer();
  // A decision made again (storm control asking for more channels) counts afresh: the last one is what is written.
  const dedup = newDedupTally();
  const decideAll = (current: Map<string, GroupRecord>, alsoLocked: ReadonlySet<string>) => {
    Object.assign(dedup, newDedupTally());
    const at = now();
    // A copy of a truncated end already taken ends nothing, in the teams it shows nothing of either.
    const repeats = repeatsTruncatedEnd(updates, current, at);
    const withUnshown = unshown.length === 0 || repeats ? updates : [...updates, ...teamsUnshown(n, unshown, current, config)];
    const decideOpts = alsoLocked.size === 0 && !repeats ? opts : { ...opts, ...(alsoLocked.size > 0 ? { alsoLocked } : {}), ...(repeats ? { repeatsTruncatedEnd: true } : {}) };
    return decideUpdates(withUnshown, current, config, at, decideOpts, dedup);
  };
  let notifications: NotificationRecord[] = [];
  try {
    notifications = await updateGroupsLockingChannels(store, [...groupIds, ...stateIds, ...channelIds], decideAll, offer ? { lease: offer } : {});
  } finally {
    if (offer) opts.handOff!.settle(offer, notifications);
  }
  const teams = updates.map((u) => ({
    team: u.team,
    alerts: u.alerts.length,
    firing: u.alerts.filter((a) => a.status === 'firing').length,
    resolved: u.alerts.filter((a) => a.status === 'resolved').length,
  }));
  return { teams, notifications, dedup };
}
