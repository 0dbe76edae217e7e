/**
 * @module storm/digest-tally
 * What a channel's storm digest shows, kept as running counts, and which groups it gathered.
 *
 * The digest lives in the channel's state, which every webhook to the channel reads, changes and
 * writes back under the store lock. It used to hold an object per gathered group, so each webhook
 * parsed, re-counted and re-serialised the whole storm: the cost per webhook grew with the storm
 * and a storm of N groups cost N² (docs/performance.md, "storm"). Now the counts the message
 * shows are kept as they change, and the members are one string of fixed-width records: reading
 * a state is one string scan, a lookup one `indexOf`, and nothing is re-counted.
 */
import { hash } from 'node:crypto';
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
   * Every gathered group as a record of KEY_LENGTH hex digits of its id (`memberKey`) and its
   * status, FIRING or RESOLVED; the status characters are not hex, so a key found is a record.
   */
  members: string;
}

const KEY_LENGTH = 16;
const RECORD_LENGTH = KEY_LENGTH + 1;
const FIRING = '+';
const RESOLVED = '-';
const GROUP_ID = /^[0-9a-f]{32}$/;

export function emptyTally(): DigestTally {
  // Keyed by label values: no prototype, so "__proto__" or "constructor" count like any name.
  return { groups: 0, firing: 0, alertnames: Object.create(null), severities: Object.create(null), members: '' };
}

/** One more under `key` (own properties only: a parsed tally's objects have a prototype). */
function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (Object.hasOwn(counts, key) ? counts[key]! : 0) + 1;
}

/**
 * A group's key among the members. Group ids are 32 hex digits of a SHA-256 (model/group-id.ts);
 * 64 bits of them tell a storm's groups apart (a false match among 10,000 members has odds of
 * ~1 in 10^15). Any other id (tests) is hashed to the same shape.
 */
export function memberKey(groupId: string): string {
  const hex = GROUP_ID.test(groupId) ? groupId : hash('sha256', groupId, 'hex');
  return hex.slice(0, KEY_LENGTH);
}

/** Where the group's record starts in `members`, or -1. */
function find(t: DigestTally, key: string): number {
  return t.members.indexOf(key);
}

/** The status the digest has for a group, or undefined when the group was not gathered. */
export function memberStatus(t: DigestTally, groupId: string): AlertStatus | undefined {
  const at = find(t, memberKey(groupId));
  if (at < 0) return undefined;
  return t.members[at + KEY_LENGTH] === FIRING ? 'firing' : 'resolved';
}

/** Gather a group (the caller checked it was not gathered yet). */
export function addMember(t: DigestTally, groupId: string, entry: DigestEntry): void {
  t.members += memberKey(groupId) + (entry.status === 'firing' ? FIRING : RESOLVED);
  t.groups += 1;
  if (entry.status === 'firing') t.firing += 1;
  bump(t.alertnames, entry.alertname);
  bump(t.severities, entry.severity);
}

/** A gathered group's new status (a change folded into the digest). */
export function setMemberStatus(t: DigestTally, groupId: string, status: AlertStatus): void {
  const at = find(t, memberKey(groupId));
  if (at < 0) return;
  const was = t.members[at + KEY_LENGTH] === FIRING ? 'firing' : 'resolved';
  if (was === status) return;
  t.firing += status === 'firing' ? 1 : -1;
  t.members = t.members.slice(0, at + KEY_LENGTH) + (status === 'firing' ? FIRING : RESOLVED) + t.members.slice(at + RECORD_LENGTH);
}

/** The tally of a digest stored before it was kept as counts (an object per group id). */
export function tallyOfEntries(entries: Record<string, DigestEntry>): DigestTally {
  const t = emptyTally();
  for (const [groupId, entry] of Object.entries(entries)) addMember(t, groupId, entry);
  return t;
}
