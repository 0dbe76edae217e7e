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

/** Channel state ids by team and channel: each webhook asks for several (locks, storm control, the write). */
const channelIds = new Map<string, Map<string, string>>();
let channelIdCount = 0;

export function channelGroupId(team: string, channel: string): string {
  // Looked up without building stateGroupId's key (two concatenations and a new string's hash each time).
  let byChannel = channelIds.get(team);
  let id = byChannel?.get(channel);
  if (id !== undefined) return id;
  // Bounded as stateGroupId's: a few channels per team.
  if (channelIdCount >= 4096) {
    channelIds.clear();
    channelIdCount = 0;
    byChannel = undefined;
  }
  if (!byChannel) channelIds.set(team, (byChannel = new Map()));
  byChannel.set(channel, (id = stateGroupId(team, channelGroupKey(channel))));
  channelIdCount++;
  return id;
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

/**
 * The state each channel record was last written with by this process, decoded, with its text.
 * Every webhook to a channel reads the state the one before it wrote and writes it back changed:
 * parsing it again (and spreading it over an empty state) was about 4 µs of the ~7 µs storm control
 * spent per webhook on its state (docs/performance.md). A stored text is read from here only when it
 * is exactly the text written, so what it gives is what parsing that text would: a text another
 * replica wrote, or one read after this process's write was refused (rolled back), is parsed as
 * before. Bounded as stateGroupId's ids: a few channels per team.
 */
const lastWritten = new Map<string, { text: string; state: ChannelState }>();
const MAX_LAST_WRITTEN = 4096;

export function readChannelState(record: GroupRecord | undefined): ChannelState {
  const raw = record?.commonAnnotations[STATE_KEY];
  if (!raw) return emptyChannelState();
  const last = lastWritten.get(record!.id);
  // A copy: the caller changes what it is given, and the next read must still give the text's state.
  if (last !== undefined && last.text === raw) return copyData(last.state);
  const parsed = JSON.parse(raw) as Partial<ChannelState & LegacyChannelState>;
  // Its keys assigned over an empty state's, in order, as the spread below would (at half the cost).
  if (!Object.hasOwn(parsed, 'digest')) return assignKeys(parsed, emptyChannelState() as unknown as Record<string, unknown>) as unknown as ChannelState;
  const { digest, ...stored } = parsed;
  // A state written before the upgrade (a storm going on across it) keeps its digest.
  const legacy = digest && !stored.tally ? { tally: tallyOfEntries(digest) } : {};
  return { ...emptyChannelState(), ...stored, ...legacy };
}

export function channelPseudoGroup(team: string, channel: string, state: ChannelState): PseudoGroup {
  const id = channelGroupId(team, channel);
  const text = JSON.stringify(state);
  rememberWritten(id, text, state);
  return {
    id,
    team,
    groupKey: channelGroupKey(channel),
    // Firing while pages are owed too: the storm ticker finds the states to look at by it.
    status: state.active || (state.pagesOwed?.length ?? 0) > 0 ? 'firing' : 'resolved',
    annotations: { [STATE_KEY]: text },
    targets: [{ type: 'slack', channel }],
  };
}

/** Keep `state` as readChannelState would decode `text` (its JSON): a copy, since the caller may go on changing it. */
function rememberWritten(id: string, text: string, state: ChannelState): void {
  let decoded: ChannelState;
  try {
    decoded = asReadBack(state);
  } catch (err) {
    if (!(err instanceof NotPlainData)) throw err;
    lastWritten.delete(id);
    return;
  }
  if (lastWritten.size >= MAX_LAST_WRITTEN && !lastWritten.has(id)) lastWritten.clear();
  lastWritten.set(id, { text, state: decoded });
}

/**
 * What readChannelState gives for `JSON.stringify(state)`: its parsed keys over an empty state's
 * (spread there: the empty state's keys first, then the others in the text's order). Assigned
 * here rather than spread, which cost more than the parse it saves.
 */
function asReadBack(state: ChannelState): ChannelState {
  // A `digest` would be read as a legacy state's.
  if (Object.hasOwn(state, 'digest')) throw new NotPlainData();
  return copyJsonKeys(state, emptyChannelState() as unknown as Record<string, unknown>) as unknown as ChannelState;
}

/** A value JSON would not give back as plain data (a toJSON, a class instance): its state is not kept, but parsed when read. */
class NotPlainData extends Error {}

/**
 * `v` as JSON.parse(JSON.stringify(v)) gives it back (undefined where JSON leaves a value out):
 * plain objects with Object's prototype and the same keys in the same order, -0 as 0, non-finite
 * numbers as null. Throws NotPlainData for what it cannot copy that way.
 */
function asParsedJson(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      // -0 + 0 is 0, as JSON writes it.
      return Number.isFinite(v) ? v + 0 : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new NotPlainData();
  }
  if (v === null) return null;
  if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) {
    const out: unknown[] = [];
    for (const x of v as unknown[]) out.push(asParsedJson(x) ?? null);
    return out;
  }
  return copyJsonKeys(v as object, {});
}

/** `from`'s keys as JSON writes and reads them, assigned to `into` in order (an existing key keeps its place, as a spread's would). */
function copyJsonKeys(from: object, into: Record<string, unknown>): Record<string, unknown> {
  const proto = Object.getPrototypeOf(from) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (from as { toJSON?: unknown }).toJSON === 'function') throw new NotPlainData();
  for (const key of Object.keys(from)) {
    const x = asParsedJson((from as Record<string, unknown>)[key]);
    if (x !== undefined) setKey(into, key, x);
  }
  return into;
}

/** `from`'s own keys (parsed JSON) assigned to `into` in order, as a spread would. */
function assignKeys(from: object, into: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(from)) setKey(into, key, (from as Record<string, unknown>)[key]);
  return into;
}

function setKey(into: Record<string, unknown>, key: string, value: unknown): void {
  // JSON.parse and spreads make "__proto__" an own property (an alertname can be any label value); assigning it would set the prototype.
  if (key === '__proto__') Object.defineProperty(into, key, { value, writable: true, enumerable: true, configurable: true });
  else into[key] = value;
}

/** A deep copy of decoded JSON data (plain objects and arrays), prototypes and own "__proto__" keys as they are. */
function copyData<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyData) as T;
  // Spread defines its keys (no setter runs), and assigning an own "__proto__" data property sets
  // that property. An empty state's tally has no prototype (emptyTally): nor has its copy.
  const out = (Object.getPrototypeOf(v) === null ? Object.assign(Object.create(null), v) : { ...v }) as Record<string, unknown>;
  for (const key in out) {
    const x = out[key];
    if (typeof x === 'object' && x !== null) out[key] = copyData(x);
  }
  return out as T;
}
