/**
 * @module storm/digest-tally
 * What a channel's storm digest shows, kept as running counts.
 *
 * The digest lives in the channel's state, which every webhook to the channel reads, changes and
 * writes back under the store lock. It used to hold an entry per gathered group, so each webhook
 * parsed, re-counted and re-serialised the whole storm, and a storm of N groups cost N²
 * (docs/performance.md, "eleventh session"). Now the state keeps only the counts its message
 * shows, and which digest gathered a group is kept on the group's own row (`stormDigests`,
 * storm-control.ts).
 *
 * A state stored by the version before keeps its entries' groups here, as `legacyMembers`, so a
 * storm going on across an upgrade still folds their later changes into its digest; the next
 * storm starts without them.
 */
import { sha256Hex } from '../model/sha256.js';
import type { AlertStatus } from '../model/alert.js';

/** A gathered group as the digest counts it; alertname and severity never change once gathered. */
export interface DigestEntry {
  alertname: string;
  severity: string;
  status: AlertStatus;
}

export interface DigestTally {
  /** Groups gathered, and how many of them fire now. */
  groups: number;
  firing: number;
  /** Gathered groups by alertname and by severity: what the message's top lists show. */
  alertnames: Record<string, number>;
  severities: Record<string, number>;
  /**
   * Groups gathered before membership moved to the group rows: records of KEY_LENGTH hex digits
   * of the group id (`memberKey`) and the status, FIRING or RESOLVED; the status characters are
   * not hex, so a key found is a record. Absent in states written since.
   */
  legacyMembers?: string;
}

const KEY_LENGTH = 16;
const RECORD_LENGTH = KEY_LENGTH + 1;
const FIRING = '+';
const RESOLVED = '-';
const GROUP_ID = /^[0-9a-f]{32}$/;

export function emptyTally(): DigestTally {
  // Keyed by label values: no prototype, so "__proto__" or "constructor" count like any name.
  return { groups: 0, firing: 0, alertnames: Object.create(null), severities: Object.create(null) };
}

/** One more under `key` (own properties only: a parsed tally's objects have a prototype). */
function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (Object.hasOwn(counts, key) ? counts[key]! : 0) + 1;
}

/** Count a newly gathered group. */
export function countGathered(t: DigestTally, entry: DigestEntry): void {
  t.groups += 1;
  if (entry.status === 'firing') t.firing += 1;
  bump(t.alertnames, entry.alertname);
  bump(t.severities, entry.severity);
}

/** A gathered group went from `was` to `now`. */
export function countChange(t: DigestTally, was: AlertStatus, now: AlertStatus): void {
  if (was !== now) t.firing += now === 'firing' ? 1 : -1;
}

/**
 * A group's key among the legacy members. Group ids are 32 hex digits of a SHA-256
 * (model/group-id.ts); 64 bits of them tell a storm's groups apart (a false match among 10,000
 * members has odds of ~1 in 10^15). Any other id (tests) is hashed to the same shape.
 */
function memberKey(groupId: string): string {
  const hex = GROUP_ID.test(groupId) ? groupId : sha256Hex(groupId);
  return hex.slice(0, KEY_LENGTH);
}

/** The status the digest counts for a legacy member, or undefined when it is not one. */
export function legacyMemberStatus(t: DigestTally, groupId: string): AlertStatus | undefined {
  // Most states have none: every new group asks (twice), and the key costs a regular expression and a slice.
  if (!t.legacyMembers) return undefined;
  const at = t.legacyMembers.indexOf(memberKey(groupId));
  if (at < 0) return undefined;
  return t.legacyMembers![at + KEY_LENGTH] === FIRING ? 'firing' : 'resolved';
}

/** A legacy member's new status (a change folded into the digest). */
export function setLegacyMemberStatus(t: DigestTally, groupId: string, status: AlertStatus): void {
  const members = t.legacyMembers ?? '';
  const at = members.indexOf(memberKey(groupId));
  if (at < 0) return;
  const was = members[at + KEY_LENGTH] === FIRING ? 'firing' : 'resolved';
  countChange(t, was, status);
  t.legacyMembers = members.slice(0, at + KEY_LENGTH) + (status === 'firing' ? FIRING : RESOLVED) + members.slice(at + RECORD_LENGTH);
}

/**
 * A legacy member's own message went out after the storm: the digest no longer follows it (and no
 * longer counts it as firing). Answers whether the counts changed.
 */
export function forgetLegacyMember(t: DigestTally, groupId: string): boolean {
  const members = t.legacyMembers;
  if (!members) return false;
  const at = members.indexOf(memberKey(groupId));
  if (at < 0) return false;
  const firing = members[at + KEY_LENGTH] === FIRING;
  if (firing) t.firing -= 1;
  const rest = members.slice(0, at) + members.slice(at + RECORD_LENGTH);
  if (rest) t.legacyMembers = rest;
  else delete t.legacyMembers;
  return firing;
}

/** The tally of a digest stored by the version before: an entry per gathered group, by group id. */
export function tallyOfEntries(entries: Record<string, DigestEntry>): DigestTally {
  const t = emptyTally();
  let members = '';
  for (const [groupId, entry] of Object.entries(entries)) {
    countGathered(t, entry);
    members += memberKey(groupId) + (entry.status === 'firing' ? FIRING : RESOLVED);
  }
  if (members) t.legacyMembers = members;
  return t;
}
