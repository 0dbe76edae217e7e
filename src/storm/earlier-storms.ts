/**
 * @module storm/earlier-storms
 * Which digest follows a gathered group, across a channel's storms. A group a storm gathers is
 * followed by that storm's digest until a message of its own goes out to the channel: its
 * resolution edits the digest, whenever it comes. The channel's state used to keep only its last
 * storm's counts, so once the next storm started, a group of the one before that resolved posted a
 * RESOLVED message for a group the channel had never seen fire in a message of its own, and the
 * old digest counted it as firing for ever. The state now keeps the counts of the earlier storms
 * whose digests still count groups as firing (`ChannelState.earlier`), each dropped once it counts
 * none.
 *
 * Every webhook to the channel reads and writes that state, so it is bounded: at most
 * MAX_EARLIER_STORMS storms, each with only the alertnames its message shows. Beyond that the
 * oldest is dropped: its digest is edited no more (it goes on saying how many fired when it was
 * last edited), and its groups' resolutions are recorded as suppressed (UNFOLLOWED_REASON), since
 * they have no message of their own in the channel to edit.
 */
import type { AlertStatus } from '../model/alert.js';
import type { GroupRecord } from '../store/store.js';
import type { ChannelState, EarlierStorm } from './channel-state.js';
import { shownTally } from './digest-message.js';
import { legacyMemberStatus, type DigestTally } from './digest-tally.js';

/** A channel in storm after storm, each leaving groups firing, keeps this many of its storms before the last. */
export const MAX_EARLIER_STORMS = 20;

/** A storm's digest as the channel's state counts it: the last storm's, or an earlier one's. */
export interface StormDigest {
  tally: DigestTally;
  /** Absent for the last (current, or last ended) storm. */
  earlier?: EarlierStorm;
}

/** The digest following a group in a channel, and the status it counts for it. */
export interface Following extends StormDigest {
  status: AlertStatus;
  /** The storm the group's row names (`stormDigests`); absent for a member listed by a digest stored before the marks. */
  storm?: number;
}

/** The digest of storm `storm`, if the channel's state still counts it. */
export function stormDigest(s: ChannelState, storm: number): StormDigest | undefined {
  if (storm === s.stormStartedAt) return { tally: s.tally };
  const earlier = s.earlier?.find((e) => e.storm === storm);
  return earlier && { tally: earlier.tally, earlier };
}

/**
 * The digest following `group` in `channel`: the one of the storm its row names, or one stored by
 * the version before the marks that lists it (digest-tally.ts). Undefined when none does.
 */
export function followingDigest(group: GroupRecord, channel: string, s: ChannelState): Following | undefined {
  const mark = group.stormDigests?.[channel];
  const digest = mark && stormDigest(s, mark.storm);
  return digest ? { ...digest, status: mark!.status, storm: mark!.storm } : legacyDigest(group.id, s);
}

/** The digest stored by the version before the marks that lists `groupId` (the last storm's, or an earlier one's). */
export function legacyDigest(groupId: string, s: ChannelState): Following | undefined {
  const status = legacyMemberStatus(s.tally, groupId);
  if (status) return { tally: s.tally, status };
  for (const earlier of s.earlier ?? []) {
    if (!earlier.tally.legacyMembers) continue;
    const was = legacyMemberStatus(earlier.tally, groupId);
    if (was) return { tally: earlier.tally, earlier, status: was };
  }
  return undefined;
}

/**
 * The group's row names a storm of the channel whose digest the state no longer keeps, though it
 * kept a later storm: a storm dropped beyond MAX_EARLIER_STORMS, or one the next storm replaced in
 * a state stored by the version before earlier storms were kept.
 */
export function followedByDroppedDigest(group: GroupRecord, channel: string, s: ChannelState): boolean {
  const mark = group.stormDigests?.[channel];
  return mark !== undefined && s.stormStartedAt !== null && mark.storm < s.stormStartedAt && stormDigest(s, mark.storm) === undefined;
}

/**
 * A new storm starts in the channel: the last one is kept if its digest counts groups as firing
 * (the oldest kept dropped beyond MAX_EARLIER_STORMS). Answers the last storm as an earlier one,
 * kept or not, for an edit of its digest this decision already owes.
 */
export function keepLastStorm(s: ChannelState): EarlierStorm | undefined {
  if (s.stormStartedAt === null) return undefined;
  const last: EarlierStorm = { storm: s.stormStartedAt, endedAt: s.endedAt, tally: shownTally(s.tally), ...(s.ownRecord ? { ownRecord: true as const } : {}) };
  if (last.tally.firing > 0) s.earlier = [...(s.earlier ?? []), last].slice(-MAX_EARLIER_STORMS);
  return last;
}

/** Earlier storms whose digests count nothing firing any more are kept no more (their last edit rendered). */
export function dropSettled(s: ChannelState): void {
  if (!s.earlier) return;
  const kept = s.earlier.filter((e) => e.tally.firing > 0);
  if (kept.length > 0) s.earlier = kept;
  else delete s.earlier;
}
