/**
 * @module storm/channel-state
 * Per team and Slack channel: how many new group messages went out in the last minute, and
 * whether a storm (digest mode) is on. The state lives in the store as a pseudo-group (one per
 * channel) so that it is decided under the same lock as the groups it affects, and shared by
 * replicas.
 * This module is the only place that knows how it is encoded.
 */
import { PSEUDO_GROUP_KEYS, stateGroupId, teamGroupId } from '../model/group-id.js';
import type { PseudoGroup } from '../store/pseudo-group.js';
import type { GroupRecord } from '../store/store.js';
import type { TeamConfig } from '../config/types.js';
import { emptyTally, tallyOfEntries, type DigestEntry, type DigestTally } from './digest-tally.js';

export interface ChannelState {
  /**
   * The new-group messages sent within the counting window, per second (storm/message-window.ts).
   * Absent: none, or as stored by a release that counted in a fixed window (windowStart and
   * windowCount only).
   */
  sentPerSecond?: string;
  /**
   * Start (ms) of the oldest second `sentPerSecond` counts, and how many messages it counts: what
   * releases with a fixed window counted by (from windowStart), still written for their replicas,
   * and read from a state they stored.
   */
  windowStart: number;
  windowCount: number;
  active: boolean;
  stormStartedAt: number | null;
  lastDigestAt: number | null;
  endedAt: number | null;
  /** The groups gathered into the current (or last) storm's digest, and what it shows of them. */
  tally: DigestTally;
  /**
   * The current (or last) storm's digest message is sent for a record of its own
   * (`digestRecordId`), not for the channel's: an earlier storm's digest, still followed, was
   * posted for the channel's record (see EarlierStorm). Absent: the channel's record.
   */
  ownRecord?: true;
  /**
   * Storms before the last whose digests still count groups as firing, oldest first: those
   * groups' resolutions still fold into them (storm/earlier-storms.ts). Absent: none (as stored
   * by versions before 2026-12).
   */
  earlier?: EarlierStorm[];
  /**
   * storm.holdPagerDuty: storms of the channel that ended with pages still owed to the groups
   * they gathered (storm/held-pages.ts), paid a batch per write in the order of the group ids,
   * `after` the last id looked at. The state stays stored as firing until they are paid, so the
   * storm ticker finds it (Store.activeStormIds). Absent: none.
   */
  pagesOwed?: PagesOwed[];
}

/** A storm (its start, Unix ms) whose gathered groups are still to be looked at for pages, from the id after `after`. */
export interface PagesOwed {
  storm: number;
  after?: string;
}

/** An earlier storm of the channel, kept while its digest counts groups as firing. */
export interface EarlierStorm {
  /** Its start (Unix ms): the storm the gathered groups' rows name (`stormDigests`). */
  storm: number;
  endedAt: number | null;
  tally: DigestTally;
  /** As ChannelState's: its digest message is sent for a record of its own. */
  ownRecord?: true;
}

/** As stored before the digest was kept as counts: an entry per gathered group, by group id. */
interface LegacyChannelState extends Omit<ChannelState, 'tally'> {
  digest: Record<string, DigestEntry>;
}

const STATE_KEY = 'alertgate.storm';

export function channelGroupKey(channel: string): string {
  return `${PSEUDO_GROUP_KEYS.stormPrefix}${channel}`;
}

export function channelGroupId(team: string, channel: string): string {
  return stateGroupId(team, channelGroupKey(channel));
}

/**
 * The record a storm's digest message is sent for when not the channel's (`ownRecord`): the
 * outbox finds the Slack message to edit by the record's id and the channel, and so delivers a
 * record's items in order and lets a newer edit replace an unsent one; each digest needs its own
 * for the next storm's post not to take its place. A `message:` key: kept like every scheduled
 * message's record (retention), and never taken for a storm going on (Store.activeStormIds).
 */
export function digestRecordKey(channel: string, storm: number): string {
  return `${PSEUDO_GROUP_KEYS.messagePrefix}storm-digest:${channel}:${storm}`;
}

export function digestRecordId(team: string, channel: string, storm: number): string {
  return teamGroupId(team, digestRecordKey(channel, storm));
}

/** Every Slack channel a team's alerts can reach: its channel and route overrides. */
const channelSets = new WeakMap<TeamConfig, ReadonlySet<string>>();

/** teamChannels as a set, kept per loaded team config (asked for by every decision's storm check). */
export function teamChannelSet(team: TeamConfig): ReadonlySet<string> {
  let set = channelSets.get(team);
  if (!set) channelSets.set(team, (set = new Set(teamChannels(team))));
  return set;
}

export function teamChannels(team: TeamConfig): string[] {
  const channels = new Set<string>();
  if (team.slack) channels.add(team.slack.channel);
  for (const r of team.routes) if (r.slackChannel) channels.add(r.slackChannel);
  return [...channels];
}

export function emptyChannelState(): ChannelState {
  return { windowStart: 0, windowCount: 0, active: false, stormStartedAt: null, lastDigestAt: null, endedAt: null, tally: emptyTally() };
}

export function readChannelState(record: GroupRecord | undefined): ChannelState {
  const raw = record?.commonAnnotations[STATE_KEY];
  if (!raw) return emptyChannelState();
  const { digest, ...stored } = JSON.parse(raw) as Partial<ChannelState & LegacyChannelState>;
  // A state written before the upgrade (a storm going on across it) keeps its digest.
  const legacy = digest && !stored.tally ? { tally: tallyOfEntries(digest) } : {};
  return { ...emptyChannelState(), ...stored, ...legacy };
}

export function channelPseudoGroup(team: string, channel: string, state: ChannelState): PseudoGroup {
  return {
    id: channelGroupId(team, channel),
    team,
    groupKey: channelGroupKey(channel),
    // Firing while pages are owed too: the storm ticker finds the states to look at by it.
    status: state.active || (state.pagesOwed?.length ?? 0) > 0 ? 'firing' : 'resolved',
    annotations: { [STATE_KEY]: JSON.stringify(state) },
    targets: [{ type: 'slack', channel }],
  };
}
