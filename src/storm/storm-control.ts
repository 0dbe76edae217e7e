/**
 * @module storm/storm-control
 * Storm digests (pure, run inside the store's lock after dedup): when a channel would get more
 * than `storm.maxMessagesPerMinute` new group messages within the last minute (a sliding window:
 * message-window.ts), further new groups are gathered into one digest message per channel, edited
 * in place, until a quiet minute ends the storm (storm-ticker.ts). Digested groups keep their
 * full state (listed by the API); their later changes are folded into the digest while it lasts,
 * and their resolutions update it even after,
 * until the group's own message goes out to the channel (it changes or fires again after the
 * storm): from then on that message follows it there. Only Slack is held back, unless the team
 * sets `storm.holdPagerDuty`: a digested group then pages nobody while the storm lasts, pages at
 * its end if still firing (held-pages.ts), and its resolution reaches PagerDuty only if the
 * episode paged (holdPages).
 *
 * The channel's state holds the counts the digest shows (digest-tally.ts); which digest gathered
 * a group is written on the group's own record (`stormDigests`), so what a webhook reads and
 * writes does not grow with the storm. A storm's digest goes on following its groups after the
 * next storm starts (earlier-storms.ts).
 */
import type { RoutingConfig } from '../config/types.js';
import type { AlertStatus } from '../model/alert.js';
import { targetKey, type Target } from '../model/target.js';
import type { GroupRecord, GroupWrite, NewNotification } from '../store/store.js';
import { messageSnapshot, pseudoGroupRecord } from '../store/pseudo-group.js';
import type { PseudoGroup } from '../store/pseudo-group.js';
import type { ChangeKind } from '../model/group.js';
import { channelGroupId, channelPseudoGroup, digestRecordId, digestRecordKey, readChannelState, teamChannelSet, type ChannelState, type EarlierStorm } from './channel-state.js';
import { renderDigest, type DigestView } from './digest-message.js';
import { countChange, countGathered, emptyTally, forgetLegacyMember, setLegacyMemberStatus } from './digest-tally.js';
import { dropSettled, followedByDroppedDigest, followingDigest, keepLastStorm, legacyDigest, stormDigest, type Following, type StormDigest } from './earlier-storms.js';
import { takeMessageSlot } from './message-window.js';
import { holdsPages, pageHeldGroups, payOwed, type OwedBatch, type StormRef } from './held-pages.js';

export const DEFAULT_MAX_MESSAGES_PER_MINUTE = 20;
const MINUTE = 60_000;
export const DIGESTED_REASON = 'storm: gathered into the channel digest';
/**
 * A gathered group's later change (or resolution), folded into the digest that gathered it. Not
 * DIGESTED_REASON: alertgate_storm_groups_digested_total counts the groups a digest gathers, once.
 */
export const FOLDED_REASON = 'storm: change folded into the channel digest';
/**
 * The resolution of a group gathered by a storm whose digest the channel no longer keeps (beyond
 * MAX_EARLIER_STORMS, earlier-storms.ts): it has no message of its own in the channel, and a
 * RESOLVED post would tell of a group the channel never saw fire.
 */
export const UNFOLLOWED_REASON = 'storm: resolution of a group gathered by a digest no longer followed';
/**
 * Groups a decision's notifications gathered into a storm digest, by team: what
 * alertgate_storm_groups_digested_total counts for the passes that decide without a webhook (a
 * maintenance window's release, a re-attribution), as http/webhook.ts does for a webhook's.
 */
export function digestedByTeam(notifications: readonly { team: string; reason?: string | null }[]): Map<string, number> {
  const byTeam = new Map<string, number>();
  for (const n of notifications) if (n.reason === DIGESTED_REASON) byTeam.set(n.team, (byTeam.get(n.team) ?? 0) + 1);
  return byTeam;
}

/** storm.holdPagerDuty: a digested group's page while its storm lasts. */
export const PAGE_HELD_REASON = 'storm: page held back (storm.holdPagerDuty)';
/** storm.holdPagerDuty: the resolution of an episode whose pages were all held. */
export const NEVER_PAGED_REASON = 'storm: resolution of an episode never paged (storm.holdPagerDuty)';

interface Tracked {
  team: string;
  channel: string;
  prev: GroupRecord | undefined;
  state: ChannelState;
  /** The digest message of the current (or last) storm must be (re)sent. */
  digestChanged: boolean;
  /** Earlier storms whose digest messages must be edited, by start. */
  earlierChanged: Map<number, EarlierStorm>;
  stormStarted: boolean;
  /** This write ends the storm (endQuietStorms): the only one that announces the end. */
  stormEnded?: boolean;
}

export interface StormContext {
  config: RoutingConfig;
  now: Date;
  publicUrl?: string;
  /** The counting window and the quiet period that ends a storm; one minute (tests shorten it). */
  windowMs?: number;
  /**
   * Channel states read under the lock besides those of the channels the teams' config names
   * (which every caller locks): channels a reload dropped, asked for by ChannelsNotLocked.
   */
  alsoLocked?: ReadonlySet<string>;
}

/**
 * A Slack message of the writes goes to a channel whose state the decision was not given: an
 * episode announced there before a reload dropped the channel from the team's routes (its changes
 * and resolution still go where it was announced, dedup/decide.ts). Deciding without that state
 * would write an empty one over it, losing the storm going on there: its digest would never
 * close, and the groups it gathered would post messages of their own. The caller locks these
 * channels too and decides again (storm/channel-locks.ts).
 */
export class ChannelsNotLocked extends Error {
  constructor(readonly ids: string[]) {
    super(`storm state of ${ids.length} channel(s) not locked`);
  }
}

/** Ids of the channel states the writes' Slack messages need that the decision was not given. */
function channelsNotLocked(writes: GroupWrite[], ctx: StormContext): string[] {
  const missing = new Set<string>();
  for (const w of writes) {
    for (const n of w.notifications) {
      if (n.status !== 'pending' || n.target.type !== 'slack') continue;
      const team = ctx.config.teams.get(n.team);
      if (team && teamChannelSet(team).has(n.target.channel)) continue;
      const id = channelGroupId(n.team, n.target.channel);
      if (!ctx.alsoLocked?.has(id)) missing.add(id);
    }
  }
  return [...missing];
}

/**
 * Apply storm control to decided writes; returns them plus the channel pseudo-group writes.
 * `current` holds what the store has under the lock: the channels' states (by channel group id)
 * and the groups' records before these writes (by group id). Throws ChannelsNotLocked, before
 * changing anything, when a channel's state was not locked.
 */
export function applyStormControl(writes: GroupWrite[], current: Map<string, GroupRecord>, ctx: StormContext): GroupWrite[] {
  const missing = channelsNotLocked(writes, ctx);
  if (missing.length > 0) throw new ChannelsNotLocked(missing);
  const now = ctx.now.getTime();
  const tracked = new Map<string, Tracked>();
  const track = (team: string, channel: string): Tracked => {
    const id = channelGroupId(team, channel);
    let t = tracked.get(id);
    if (!t) {
      const prev = current.get(id);
      t = { team, channel, prev, state: readChannelState(prev), digestChanged: false, earlierChanged: new Map(), stormStarted: false };
      tracked.set(id, t);
    }
    return t;
  };

  for (const w of writes) {
    const team = ctx.config.teams.get(w.group.team);
    const max = team?.storm?.maxMessagesPerMinute ?? DEFAULT_MAX_MESSAGES_PER_MINUTE;
    /** A Slack message of this write went into a digest whose storm goes on. */
    let digested = false;
    for (const n of w.notifications) {
      if (n.status !== 'pending' || n.target.type !== 'slack') continue;
      const t = track(n.team, n.target.channel);
      const s = t.state;
      const channel = n.target.channel;
      const following = followingDigest(w.group, channel, s);
      // Folded: any change while the storm that gathered the group goes on; after it, its resolution.
      const ongoing = following !== undefined && !following.earlier && s.active;
      if (following && (ongoing || n.kind === 'resolved')) {
        foldChange(w, channel, following, n.snapshot.status);
        suppress(n, FOLDED_REASON);
        digestChanged(t, following);
        digested ||= ongoing;
        continue;
      }
      if (n.kind === 'resolved' && followedByDroppedDigest(w.group, channel, s)) {
        suppress(n, UNFOLLOWED_REASON);
        continue;
      }
      if (n.kind !== 'new') {
        // A change or reminder of its own (after its storm): its message follows the group from now on.
        // A resolution not folded is of a group the channel's digests do not follow: nothing to hand over.
        if (n.kind !== 'resolved') leaveDigest(w, channel, t);
        continue;
      }
      if (!s.active) {
        if (takeMessageSlot(s, now, ctx.windowMs ?? MINUTE, max)) {
          // A new episode with its own message, perhaps of a group a closed digest gathered before.
          leaveDigest(w, channel, t);
          continue;
        }
        startStorm(t, now);
      }
      // A new episode gathered anew, perhaps of a group an earlier digest gathered before: that one follows it no more.
      leaveDigest(w, channel, t);
      countGathered(s.tally, {
        alertname: n.snapshot.commonLabels.alertname ?? n.snapshot.groupLabels.alertname ?? n.snapshot.alerts[0]?.labels.alertname ?? 'unknown',
        severity: n.snapshot.commonLabels.severity ?? n.snapshot.alerts[0]?.labels.severity ?? 'none',
        status: n.snapshot.status,
      });
      markGathered(w, channel, s.stormStartedAt!, n.snapshot.status);
      s.lastDigestAt = now;
      suppress(n, DIGESTED_REASON);
      t.digestChanged = true;
      digested = true;
    }
    // Pages are never held back by a storm, unless the team asked for it.
    if (team?.storm?.holdPagerDuty) holdPages(w, current.get(w.group.id), digested);
  }
  return [...writes, ...[...tracked.values()].flatMap((t) => channelWrites(t, ctx))];
}

/**
 * A storm starts in the channel. The last one is kept while its digest counts groups as firing
 * (earlier-storms.ts); an edit of its digest this decision made before is still owed. The new
 * storm's digest is sent for a record of its own when the channel had a storm before: each needs
 * its own Slack message (digestRecordKey), and edits of one record supersede its pending ones.
 */
function startStorm(t: Tracked, now: number): void {
  const s = t.state;
  const last = keepLastStorm(s);
  if (last && t.digestChanged) t.earlierChanged.set(last.storm, last);
  Object.assign(s, { active: true, stormStartedAt: now, endedAt: null, tally: emptyTally() });
  // Every storm after the channel's first: the last one's final edit may still be pending on the
  // record it was sent for, and a post for the same record would supersede it (the last digest
  // would keep counting a group firing that resolved).
  if (last) s.ownRecord = true;
  else delete s.ownRecord;
  t.stormStarted = true;
}

/** The digest's message must be edited (or posted, at the storm's start). */
function digestChanged(t: Tracked, digest: StormDigest): void {
  if (digest.earlier) t.earlierChanged.set(digest.earlier.storm, digest.earlier);
  else t.digestChanged = true;
}

/**
 * storm.holdPagerDuty. While a storm gathers or folds a group's Slack messages, all its pages are
 * held (recorded as suppressed), not only its first: dedup recorded the group as notified, so its
 * next change would otherwise trigger mid-storm. A held page leaves PagerDuty out of the episode's
 * targets (what it was announced to), unless an earlier page of the episode went out: that is
 * how the storm's end tells the groups still owed a page (held-pages.ts).
 *
 * A resolution is never held back by the storm, but it reaches PagerDuty only if the episode paged
 * there: a group a digest gathered (it has a digest's mark) whose targets lack PagerDuty never
 * paged, and its resolve would only add noise. A group that paged before (its first page went out
 * before the team held pages, at its storm's end, or when it changed after its storm) resolves normally.
 */
function holdPages(w: GroupWrite, prev: GroupRecord | undefined, digested: boolean): void {
  // Decided targets are the episode's (dedup/decide.ts): the record's before this write, unless it starts one.
  const pagedBefore = (p: NewNotification) => p.kind !== 'new' && (prev?.targets.some((t) => targetKey(t) === targetKey(p.target)) ?? false);
  for (const p of w.notifications) {
    if (p.status !== 'pending' || p.target.type !== 'pagerduty') continue;
    if (p.kind === 'resolved') {
      if (w.group.stormDigests === undefined || pagedBefore(p)) continue;
      suppress(p, NEVER_PAGED_REASON);
      dropTarget(w, p.target);
    } else if (digested) {
      suppress(p, PAGE_HELD_REASON);
      if (!pagedBefore(p)) dropTarget(w, p.target);
    }
  }
}

function dropTarget(w: GroupWrite, target: Target): void {
  w.group.targets = w.group.targets.filter((t) => targetKey(t) !== targetKey(target));
}

/**
 * The group's own message goes out to the channel (a closed digest's group that changed or fired
 * again, or any group), or a new storm gathers it anew: from now on that message (or digest), not
 * the digest that gathered it before, follows the group there, so its resolution must not be
 * folded into the old digest. That digest stops counting the group as firing, or it would say so
 * forever, and its message is edited.
 */
function leaveDigest(w: GroupWrite, channel: string, t: Tracked): void {
  const s = t.state;
  const mark = w.group.stormDigests?.[channel];
  if (mark) {
    const digest = stormDigest(s, mark.storm);
    if (digest && mark.status === 'firing') {
      countChange(digest.tally, 'firing', 'resolved');
      digestChanged(t, digest);
    }
    // A new object: the decided record shares the stored record's (dedup/decide.ts keeps it).
    const rest = { ...w.group.stormDigests };
    delete rest[channel];
    if (Object.keys(rest).length > 0) w.group.stormDigests = rest;
    else delete w.group.stormDigests;
  }
  const legacy = legacyDigest(w.group.id, s);
  if (legacy && forgetLegacyMember(legacy.tally, w.group.id)) digestChanged(t, legacy);
}

/** A gathered group's change, folded into the counts of the digest following it. */
function foldChange(w: GroupWrite, channel: string, following: Following, status: AlertStatus): void {
  if (following.storm === undefined) return setLegacyMemberStatus(following.tally, w.group.id, status);
  countChange(following.tally, following.status, status);
  markGathered(w, channel, following.storm, status);
}

/** Record on the group's own row that the channel's digest of `storm` counts it as `status`. */
function markGathered(w: GroupWrite, channel: string, storm: number, status: AlertStatus): void {
  // A new object: the decided record shares the stored record's (dedup/decide.ts keeps it).
  w.group.stormDigests = { ...w.group.stormDigests, [channel]: { storm, status } };
}

function suppress(n: NewNotification, reason: string): void {
  n.status = 'suppressed';
  n.reason = reason;
}

/** A digest message to send: which storm's, for which record, and what it says. */
interface DigestSend {
  storm: number;
  ownRecord: boolean;
  kind: ChangeKind;
  view: DigestView;
}

/**
 * Persist a channel's state, with a digest post (storm start) or edit when its content changed,
 * the current (or last) storm's and earlier ones' alike, each sent for its digest's record (the
 * channel's, or one of its own: digestRecordKey). The edit that ends the storm is `resolved`: it
 * replies in the thread, and the store never lets a later edit (`changed`) supersede it while
 * unsent, which would drop the announcement.
 */
export function channelWrites(t: Tracked | (Omit<Tracked, 'stormStarted'> & { stormStarted?: boolean }), ctx: StormContext): GroupWrite[] {
  const s = t.state;
  const sends: DigestSend[] = [...t.earlierChanged.values()].map((e) => ({
    storm: e.storm,
    ownRecord: e.ownRecord === true,
    kind: 'changed' as const,
    view: { active: false, stormStartedAt: e.storm, endedAt: e.endedAt, tally: e.tally },
  }));
  if (t.digestChanged) {
    const kind = t.stormStarted ? ('new' as const) : t.stormEnded ? ('resolved' as const) : ('changed' as const);
    sends.push({ storm: s.stormStartedAt ?? 0, ownRecord: s.ownRecord === true, kind, view: s });
  }
  // After the sends took their views: an earlier digest now counting nothing firing was edited for the last time.
  dropSettled(s);
  // The state is serialised once, here, for the record and the digests' snapshots.
  const pseudo = channelPseudoGroup(t.team, t.channel, s);
  const channelRecord: GroupWrite = { group: pseudoGroupRecord(pseudo, t.prev, ctx.now), notifications: [] };
  const own: GroupWrite[] = [];
  for (const send of sends) {
    if (!send.ownRecord) {
      channelRecord.notifications.push(digestNotification(pseudo, t.channel, send, ctx));
      continue;
    }
    const record: PseudoGroup = { id: digestRecordId(t.team, t.channel, send.storm), team: t.team, groupKey: digestRecordKey(t.channel, send.storm), status: 'resolved', targets: [{ type: 'slack', channel: t.channel }] };
    // Not read under the lock (nothing in it is): the store keeps its first created_at.
    own.push({ group: pseudoGroupRecord(record, undefined, ctx.now), notifications: [digestNotification(record, t.channel, send, ctx)] });
  }
  return [channelRecord, ...own];
}

function digestNotification(record: PseudoGroup, channel: string, send: DigestSend, ctx: StormContext): NewNotification {
  return {
    groupId: record.id,
    team: record.team,
    target: { type: 'slack', channel },
    kind: send.kind,
    status: 'pending',
    supersedesPending: send.kind !== 'new',
    snapshot: messageSnapshot(record, send.kind, renderDigest(record.team, channel, send.view, ctx.publicUrl, send.kind === 'resolved', holdsPages(ctx.config.teams.get(record.team)))),
  };
}

/**
 * End storms after a quiet minute (no new group gathered): close the digest and announce it. With
 * storm.holdPagerDuty the end also records that the gathered groups still firing that never paged
 * are owed their pages, and pays those `owed` names a batch of (held-pages.ts): `current` then
 * holds the batches' groups too. A channel whose storm ended before and still owes pages gets its
 * state written with the cursor moved.
 */
export function endQuietStorms(current: Map<string, GroupRecord>, ctx: StormContext & { owed?: ReadonlyMap<string, OwedBatch> }): GroupWrite[] {
  const now = ctx.now.getTime();
  const writes: GroupWrite[] = [];
  const paying: StormRef[] = [];
  for (const prev of current.values()) {
    const channel = channelOfState(prev);
    if (channel === undefined) continue;
    const state = readChannelState(prev);
    const ending = stormIsOver(state, ctx);
    const owes = stormEndOwesPages(state, prev.team, ctx);
    if (ending) {
      state.active = false;
      state.endedAt = now;
      if (owes !== undefined) state.pagesOwed = [...(state.pagesOwed ?? []), { storm: owes }];
    }
    const paid = payOwed(state, prev.team, channel, ctx.owed);
    paying.push(...paid);
    if (ending) writes.push(...channelWrites({ team: prev.team, channel, prev, state, digestChanged: true, earlierChanged: new Map(), stormEnded: true }, ctx));
    else if (paid.length > 0) writes.push({ group: pseudoGroupRecord(channelPseudoGroup(prev.team, channel, state), prev, ctx.now), notifications: [] });
  }
  return paying.length > 0 ? [...writes, ...pageHeldGroups(paying, current, ctx.config, ctx.now)] : writes;
}

/**
 * The channel's storm ends now (stormIsOver) and its team holds pages (storm.holdPagerDuty): its
 * start, the storm whose gathered groups are owed their pages (held-pages.ts); else undefined.
 */
export function stormEndOwesPages(state: ChannelState, team: string, ctx: StormContext): number | undefined {
  return stormIsOver(state, ctx) && state.stormStartedAt !== null && holdsPages(ctx.config.teams.get(team)) ? state.stormStartedAt : undefined;
}

/** The channel's storm goes on but has been quiet (no new group gathered) for the window: it ends. */
export function stormIsOver(state: ChannelState, ctx: StormContext): boolean {
  return state.active && ctx.now.getTime() - (state.lastDigestAt ?? 0) >= (ctx.windowMs ?? MINUTE);
}

/** The channel of a storm state record (keyed `storm:<channel>`); undefined for any other record. */
export function channelOfState(record: GroupRecord): string | undefined {
  if (!record.groupKey.startsWith('storm:')) return undefined;
  const channel = record.groupKey.slice('storm:'.length);
  return record.id === channelGroupId(record.team, channel) ? channel : undefined;
}
