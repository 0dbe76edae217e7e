/**
 * @module dedup/decide
 * The pure heart of deduplication: given what we know of a team group and a new snapshot of it,
 * decide whether anything must be notified. Runs inside the store's lock (Store.updateGroups), so
 * concurrent redeliveries of one webhook (HA peers, retries) see each other's decisions.
 *
 * "Content" is the set of firing alerts, as in Alertmanager's notification log: a snapshot whose
 * firing set equals the last notified one is a duplicate. Inside the team's dedup window it is
 * suppressed (recorded, not sent); after it, it is sent again as a reminder ("repeat"). Except
 * to a target the group owes (GroupRecord.owedTargets: its last notification there went dead):
 * there the duplicate is sent, as Alertmanager, which records a send only once it succeeded,
 * would send its resend. The others stay suppressed: they have the group's state already.
 * A Slack target's dead notification whose post may have been made (its request went out, no
 * answer came) and showed the content re-sent is named in the re-send's starting last error, so
 * that the re-send adopts that post if Slack has it rather than posting a second message beside
 * it (delivery/slack/post-lookup.ts).
 */
import type { Alert, IncomingNotification } from '../model/alert.js';
import type { ChangeKind, GroupSnapshot } from '../model/group.js';
import { pagerDutyDedupKey } from '../model/group-id.js';
import { targetKey, type Target } from '../model/target.js';
import type { GroupRecord, GroupWrite, NewNotification } from '../store/store.js';
import { sharedAmong } from '../model/common-fields.js';
import { contentHash, firingFingerprints } from '../model/content-hash.js';
import { deadPostNote } from '../model/post-notes.js';
import { mergeTruncated, mergeWhole, type DedupTally, type StoredAlerts } from './merge-alerts.js';
import { nextTombstones } from './tombstones.js';

/** One Alertmanager notification's share for one team. */
export interface TeamGroupUpdate {
  groupId: string;
  team: string;
  notification: Omit<IncomingNotification, 'alerts'>;
  alerts: Alert[];
  /** Targets the routes give for these alerts (union over the alerts). */
  targets: Target[];
  dedupWindowMs: number;
  /**
   * Not an Alertmanager snapshot but alertgate's own record, read under the lock: the
   * re-attribution pass moving firing alerts to the team that owns them now
   * (pipeline/reattribute.ts). No alert in it can be a stale copy, so the list is taken as it is.
   * It matters when ownership moves back: the group holds the resolved copy the move away left,
   * with the same startsAt, and the stale-copy rule (dedup/merge-alerts.ts) would keep the
   * still-firing alert resolved for good.
   */
  fromStore?: true;
  /**
   * Another team's share of the same notification holds a stale copy (merge-alerts.ts
   * holdsStaleCopy), or the notification is truncated, all resolved, and shows only ends already
   * taken (repeatsTruncatedEnd, pipeline/accept.ts): an HA peer's older snapshot, so what it
   * leaves out of this team's share does not end (mergeWhole, mergeTruncated).
   */
  olderSnapshot?: true;
}

function unionTargets(a: readonly Target[], b: readonly Target[]): Target[] {
  const byKey = new Map<string, Target>();
  for (const t of [...a, ...b]) if (!byKey.has(targetKey(t))) byKey.set(targetKey(t), t);
  return [...byKey.values()];
}

function formatWindow(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

const NOTHING_STORED: StoredAlerts = { alerts: [] };
/** The content hash of a group with nothing firing (a RESOLVED notified): one SHA-256 fewer per decision. */
const NOTHING_FIRING_HASH = contentHash([]);

interface Verdict {
  kind: ChangeKind;
  suppressReason?: string;
}

function verdict(prev: GroupRecord | undefined, firing: string[], hash: string, windowMs: number, now: Date): Verdict {
  const wasNotified = prev?.notifiedHash != null;
  if (!wasNotified || prev!.notifiedHash === NOTHING_FIRING_HASH) {
    // Nothing notified yet, or the last notification said RESOLVED: this is a new episode.
    if (firing.length > 0) return { kind: 'new' };
    return wasNotified ? { kind: 'resolved', suppressReason: 'already notified as resolved' } : { kind: 'resolved' };
  }
  if (prev!.notifiedHash === hash) {
    const age = now.getTime() - Date.parse(prev!.notifiedAt ?? '1970-01-01T00:00:00Z');
    if (age < windowMs) return { kind: firing.length ? 'repeat' : 'resolved', suppressReason: `duplicate within dedup window ${formatWindow(windowMs)}` };
    return { kind: 'repeat' };
  }
  if (firing.length === 0) return { kind: 'resolved' };
  return { kind: 'changed' };
}

/**
 * Decide the new state of one team group and the notifications (pending or suppressed) it causes.
 * `tally`: counts the stale copies ignored and the alerts ended unseen, for a webhook's metrics.
 */
export function decideGroup(prev: GroupRecord | undefined, u: TeamGroupUpdate, now: Date, tally?: DedupTally): GroupWrite {
  const nowIso = now.toISOString();
  const n = u.notification;
  // A whole group (the usual case) replaces the stored list; a truncated one (max_alerts) cannot.
  const truncated = n.truncatedAlerts > 0;
  const stored: StoredAlerts = prev ?? NOTHING_STORED;
  const merged = truncated
    ? mergeTruncated(stored, u.alerts, n.status, now, tally, u.olderSnapshot === true)
    : u.fromStore
      ? { alerts: [...u.alerts], endedUnseen: [] }
      : mergeWhole(stored, u.alerts, now, tally, u.olderSnapshot === true);
  if (tally) tally.endedUnseen += merged.endedUnseen.length;
  const alerts = merged.alerts;
  const tombstones = nextTombstones(prev, alerts, now);
  const firing = firingFingerprints(alerts);
  const hash = contentHash(firing);
  const v = verdict(prev, firing, hash, u.dedupWindowMs, now);

  // A new episode goes where the routes send it now. Within an episode targets only grow:
  // its edits and resolution must reach every place it was announced, even if routes changed since.
  const targets = unionTargets(v.kind === 'new' ? [] : (prev?.targets ?? []), u.targets);
  // No Set when nothing fired before (a new group): nothing was added to or resolved from it.
  let prevFiring: Set<string> | undefined;
  for (const a of prev?.alerts ?? []) if (a.status === 'firing') (prevFiring ??= new Set()).add(a.fingerprint);
  const added = v.kind === 'new' ? firing : prevFiring === undefined ? firing.slice() : firing.filter((f) => !prevFiring.has(f));
  let resolved: string[] = [];
  if (prevFiring !== undefined) {
    const firingSet = new Set(firing);
    resolved = [...prevFiring].filter((f) => !firingSet.has(f)).sort();
  }

  const shown = merged.endedUnseen.length ? [...alerts, ...merged.endedUnseen] : alerts;
  // Alertmanager's common labels and annotations are its notification's; what it left out and
  // the snapshot keeps (an alert silenced there, a stale copy's) may differ in them
  // (model/common-fields.ts).
  const commonLabels = sharedAmong(alerts, n.commonLabels, 'labels');
  const commonAnnotations = sharedAmong(alerts, n.commonAnnotations, 'annotations');
  const snapshot: GroupSnapshot = {
    groupId: u.groupId,
    team: u.team,
    groupKey: n.groupKey,
    receiver: n.receiver,
    status: firing.length ? 'firing' : 'resolved',
    groupLabels: n.groupLabels,
    // Only alerts that ended unseen can narrow them further; usually there are none.
    commonLabels: shown === alerts ? commonLabels : sharedAmong(shown, commonLabels, 'labels'),
    commonAnnotations: shown === alerts ? commonAnnotations : sharedAmong(shown, commonAnnotations, 'annotations'),
    externalURL: n.externalURL,
    alerts: shown,
    change: { kind: v.kind, added, resolved },
    dedupKey: pagerDutyDedupKey(u.groupId),
  };
  if (truncated) snapshot.truncatedAlerts = n.truncatedAlerts;
  const suppressed = v.suppressReason !== undefined;
  const owed = suppressed ? new Set(prev?.owedTargets ?? []) : undefined;
  // The content is the one last notified (a resend): a dead Slack post of it that may have been
  // made is looked for and adopted as it is. Not after a change, which that post does not show,
  // nor when the dead notification showed other content than this one: the group was notified
  // between (a storm digest told of a new episode instead of the channel's message), and its
  // post (the episode before's RESOLVED, say) would be kept as the group's message.
  const unchanged = prev?.notifiedHash === hash;
  const notifications: NewNotification[] = targets.map((target) => {
    const held = owed !== undefined && !owed.has(targetKey(target));
    const dead = held || !unchanged || target.type !== 'slack' ? undefined : prev?.owedDead?.[targetKey(target)];
    const note = dead === undefined || dead.contentHash !== hash ? undefined : deadPostNote(dead);
    // Three literals rather than spreads of optional parts (an object copy each, per target and
    // webhook); the keys keep one order. A held item has no dead post to name.
    if (held) return { groupId: u.groupId, team: u.team, target, kind: v.kind, status: 'suppressed', reason: v.suppressReason, snapshot };
    if (note !== undefined) return { groupId: u.groupId, team: u.team, target, kind: v.kind, status: 'pending', lastError: note, snapshot };
    return { groupId: u.groupId, team: u.team, target, kind: v.kind, status: 'pending', snapshot };
  });
  const renotified = suppressed ? notifications.filter((x) => x.status === 'pending').length : 0;
  if (tally && renotified > 0) tally.renotifiedAfterDead[u.team] = (tally.renotifiedAfterDead[u.team] ?? 0) + renotified;

  const group: GroupRecord = {
    id: u.groupId,
    team: u.team,
    groupKey: n.groupKey,
    receiver: n.receiver,
    externalURL: n.externalURL,
    groupLabels: n.groupLabels,
    commonLabels,
    commonAnnotations,
    status: snapshot.status,
    alerts,
    ...(tombstones ? { tombstones } : {}),
    // A duplicate paid to an owed target leaves these as they are: the content is the one
    // notified, and the others' reminder stays due when it was.
    notifiedHash: suppressed ? (prev?.notifiedHash ?? null) : hash,
    notifiedAt: suppressed ? (prev?.notifiedAt ?? null) : nowIso,
    targets: suppressed ? (prev?.targets ?? []) : targets,
    // Storm control and maintenance (after this) decide digests and holds; what was decided before is kept.
    ...(prev?.stormDigests ? { stormDigests: prev.stormDigests } : {}),
    ...(prev?.heldUntil !== undefined ? { heldUntil: prev.heldUntil } : {}),
    createdAt: prev?.createdAt ?? nowIso,
    updatedAt: nowIso,
  };
  return { group, notifications };
}
