/**
 * @module dedup/merge-alerts
 * Merge an incoming group snapshot over the stored one.
 *
 * Alertmanager sends the whole group each time, so the incoming list replaces the stored one,
 * with one exception: an HA peer (or a delayed retry) can deliver an older snapshot after a newer
 * one. An alert we already hold as resolved is not revived by a "firing" copy with the same
 * `startsAt` that comes soon after its end (STALE_COPY_WINDOW_MS) — a real re-fire starts a new
 * alert instance with a later `startsAt` — and one that fired again is not resolved by a
 * "resolved" copy that ended before it started. Nor is a resolved alert the group has dropped
 * since (its tombstone, dedup/tombstones.ts).
 *
 * Unless the webhook receiver sets `max_alerts`: then Alertmanager sends the first N alerts of
 * the group (sorted by labels, not by status) and counts the rest in `truncatedAlerts`. A stored
 * firing alert missing from such a list may simply have been left out, so it is kept as it was
 * rather than read as resolved (mergeTruncated).
 */
import type { Alert, AlertStatus } from '../model/alert.js';

/**
 * How long after an alert's end a "firing" copy of it (same `startsAt`) is taken for a stale one.
 * A lagging HA peer sends its copy before it learns of the end (Prometheus resends a resolution
 * it failed to deliver within a minute), and Alertmanager gives up a notification after
 * `group_interval` (5 minutes by default): such copies come within minutes of the end.
 */
export const STALE_COPY_WINDOW_MS = 10 * 60_000;

/**
 * How long after a group's last write (its `updatedAt`: taking the end, or anything since, held
 * or suppressed alike) a truncated all-resolved notification that shows only ends already taken
 * (showsOnlyKnownEnds) is taken for a copy of one (an HA peer's) rather than the group's end. A
 * peer's copy comes `peer_timeout` times its position after the other peer's (15 s, 30 s with
 * the default 15 s), and each write in between moves the mark later (a peer's copy of the
 * notification before the end too). The same notification is the genuine end too: Prometheus
 * resends resolved alerts for 15 minutes and Alertmanager puts them back in the group, first by
 * labels, so once the left-out alerts resolve the group's last notification shows those ends again; it comes at least
 * `group_interval` after the group's notification before it. STALE_COPY_WINDOW_MS (minutes) would
 * take that end for a copy, and leave the group firing for good, with `group_interval` under 10
 * minutes (its default is 5): this window plus 30 s must stay under the shortest `group_interval`.
 */
export const TRUNCATED_END_COPY_WINDOW_MS = 45_000;

/** An end (`endsAt`, RFC3339) less than STALE_COPY_WINDOW_MS before `nowMs`. */
export function withinStaleCopyWindow(endsAt: string, nowMs: number): boolean {
  return nowMs - Date.parse(endsAt) < STALE_COPY_WINDOW_MS;
}

/**
 * What one webhook's merges decided on, for /metrics (alertgate_dedup_stale_copies_total,
 * alertgate_alerts_ended_unseen_total): HA copies ignored and alerts taken as resolved unseen,
 * which otherwise show nowhere. One per decision, counted up in place: no allocation per alert.
 */
export interface DedupTally {
  /** Firing copies of alerts held as resolved, ignored (staleRevival). */
  staleFiring: number;
  /** Firing copies of resolved alerts the group has dropped, ignored (staleAfterDrop). */
  staleFiringDropped: number;
  /** Resolved copies of an earlier episode, ignored (endOfEarlierEpisode). */
  lateResolved: number;
  /** Firing alerts the notification left out, taken as resolved (MergedAlerts.endedUnseen). */
  endedUnseen: number;
  /** Duplicates notified to targets whose last notification went dead (dedup/decide.ts), by team. */
  renotifiedAfterDead: Record<string, number>;
}

export function newDedupTally(): DedupTally {
  return { staleFiring: 0, staleFiringDropped: 0, lateResolved: 0, endedUnseen: 0, renotifiedAfterDead: {} };
}

/**
 * What a group holds before a merge: its alerts, and the resolved ones it dropped and keeps
 * tombstones of for a while (GroupRecord.tombstones, dedup/tombstones.ts).
 */
export interface StoredAlerts {
  alerts: readonly Alert[];
  tombstones?: readonly Alert[] | undefined;
}

export function mergeAlerts(stored: readonly Alert[], incoming: readonly Alert[], now: Date, tally?: DedupTally): Alert[] {
  return mergeCounting({ alerts: stored }, incoming, now, tally).alerts;
}

/**
 * mergeAlerts, also counting the incoming alerts that match a stored firing one (`shownFiring`),
 * so that the usual repeat, which shows every stored firing alert, needs no search for left-out
 * ones (firingLeftOut). A stale copy of a dropped alert is left out of the list: the group keeps
 * it dropped.
 */
function mergeCounting(stored: StoredAlerts, incoming: readonly Alert[], now: Date, tally?: DedupTally): { alerts: Alert[]; shownFiring: number; stale: boolean } {
  const { previous, dropped } = heldByFingerprint(stored);
  let ignored: Set<Alert> | undefined;
  let shownFiring = 0;
  let staleCopies = 0;
  const alerts = incoming.map((a) => {
    const prev = previous.get(a.fingerprint);
    if (prev === undefined) {
      const tombstone = dropped?.get(a.fingerprint);
      if (tombstone !== undefined && staleAfterDrop(tombstone, a, now)) {
        if (tally) tally.staleFiringDropped++;
        staleCopies++;
        (ignored ??= new Set()).add(a);
      }
      return a;
    }
    if (prev.status === 'firing') shownFiring++;
    if (staleRevival(prev, a, now)) {
      if (tally) tally.staleFiring++;
      staleCopies++;
      return prev;
    }
    if (endOfEarlierEpisode(prev, a)) {
      if (tally) tally.lateResolved++;
      staleCopies++;
      return prev;
    }
    return a;
  });
  const stale = ignored;
  return { alerts: stale ? alerts.filter((a) => !stale.has(a)) : alerts, shownFiring, stale: staleCopies > 0 };
}

/**
 * A group's stored alerts (`previous`) and tombstones (`dropped`; undefined when none, as most
 * groups have) by fingerprint: what an incoming alert is matched against.
 */
function heldByFingerprint({ alerts, tombstones }: StoredAlerts): { previous: Map<string, Alert>; dropped: Map<string, Alert> | undefined } {
  return {
    previous: new Map(alerts.map((a) => [a.fingerprint, a])),
    dropped: tombstones?.length ? new Map(tombstones.map((t) => [t.fingerprint, t])) : undefined,
  };
}

/**
 * A "firing" copy of the very alert instance we hold as resolved (same `startsAt`), soon after its
 * end. Later, it is Alertmanager's own word that the alert fires again: Alertmanager resolves an
 * alert whose `endsAt` passes (Prometheus sets it a few evaluation intervals ahead at each send),
 * so an alert Prometheus could not deliver for that long was resolved, and when Prometheus gets
 * through again it is a new alert to Alertmanager with its original `startsAt`. Taking that for a
 * stale copy kept it resolved (PagerDuty incident too) for as long as it kept firing.
 */
function staleRevival(prev: Alert, a: Alert, now: Date): boolean {
  if (prev.status !== 'resolved' || a.status !== 'firing' || prev.startsAt !== a.startsAt) return false;
  return prev.endsAt === null || withinStaleCopyWindow(prev.endsAt, now.getTime());
}

/**
 * A "firing" copy of a resolved alert the group dropped since (its tombstone), of the instance
 * that ended or an earlier one (`startsAt` not after the tombstone's), within the window after
 * the end: stale, as staleRevival. A real re-fire is a new instance, with a later `startsAt`.
 */
function staleAfterDrop(tombstone: Alert, a: Alert, now: Date): boolean {
  return a.status === 'firing' && Date.parse(a.startsAt) <= Date.parse(tombstone.startsAt) && withinStaleCopyWindow(tombstone.endsAt!, now.getTime());
}

/**
 * A "resolved" copy of an instance that ended before the one we hold as firing started: the end
 * of an earlier episode, sent late by an HA peer (or a retry of its), not the end of this one.
 * Alertmanager shows only an alert's newest instance, and an instance cannot end before it starts.
 * Taking it let a lagging peer resolve an alert that had fired again (PagerDuty incident resolved,
 * RESOLVED in Slack) until that peer's own next notification fired it once more as a new episode.
 */
function endOfEarlierEpisode(prev: Alert, a: Alert): boolean {
  return prev.status === 'firing' && a.status === 'resolved' && a.endsAt !== null && Date.parse(a.endsAt) < Date.parse(prev.startsAt);
}

export interface MergedAlerts {
  /** The group's alerts from now on (what the store keeps). */
  alerts: Alert[];
  /**
   * Stored firing alerts the notification left out and took as resolved (below), as resolved
   * copies: shown in the snapshot so the message can name and count them (not as a bare
   * fingerprint), but not kept, so Alertmanager's next notification of one still firing (same
   * `startsAt`: a silence that ended) is not mistaken for a stale copy.
   * (The other side of it: a late firing copy from a lagging HA peer that shows one revives it,
   * as a new episode, which that peer's own later notifications settle.)
   */
  endedUnseen: Alert[];
}

/**
 * Merge a notification Alertmanager truncated (`truncatedAlerts` > 0; `status` is the webhook's
 * own). Stored firing alerts absent from it are kept: we know nothing new about them. Absent
 * resolved ones are dropped as with a whole list (they were reported already; keeping them would
 * list them again in every later message of a large group).
 *
 * Except when the webhook's status is `resolved`, i.e. every alert it shows is resolved:
 * Alertmanager computes that status over the shown alerts only, and alertgate follows it and
 * takes the left-out firing alerts as resolved too. The trade-off: the final notification of a
 * group (every alert resolved) is itself truncated, and keeping its left-out alerts would leave
 * the group firing, and its PagerDuty incident open, for ever, since Alertmanager sends nothing
 * more; but a notification whose shown alerts all happen to be resolved while left-out ones
 * still fire (Alertmanager 0.25 sends it: labels sort before status) resolves the group early.
 * Those alerts fire again, as a new episode, with Alertmanager's next notification of the group
 * that shows them (its next change, or repeat_interval): only once they are among its first N.
 */
export function mergeTruncated(stored: StoredAlerts, incoming: readonly Alert[], status: AlertStatus, now: Date, tally?: DedupTally, olderSnapshot = false): MergedAlerts {
  const { alerts, shownFiring } = mergeCounting(stored, incoming, now, tally);
  const leftOut = firingLeftOut(stored.alerts, incoming, shownFiring);
  // A copy whose resolved alerts were all notified already (showsOnlyKnownEnds) was taken as the
  // group's end when it first came: what it leaves out firing now fired since.
  if (status === 'resolved' && !olderSnapshot) return { alerts, endedUnseen: endedNow(leftOut, now) };
  return { alerts: [...alerts, ...leftOut], endedUnseen: [] };
}

/**
 * Merge a whole notification (no `truncatedAlerts`): its list replaces the stored one, so a stored
 * firing alert it leaves out ends here. Alertmanager leaves an alert out once it is silenced or
 * inhibited (and, without `send_resolved`, once it resolved), without ever showing it resolved.
 *
 * Except in a notification that holds a stale copy (a firing copy of an alert just resolved, of
 * a dropped one, or the end of an earlier episode): it is an older snapshot than the one the
 * group holds, which an HA peer sends late (its turn came after `peer_timeout`, and the other
 * peer had notified a change meanwhile), so an alert it leaves out may have started after it was
 * taken. Such alerts are kept as they are; Alertmanager's next notification settles them. Taking
 * them as ended resolved a newly started alert (a RESOLVED reply, or the whole group and its
 * PagerDuty incident when nothing else fired), and the other peer's next notification fired it
 * again. The stale copy may be in another team's share of the notification: `olderSnapshot`
 * (holdsStaleCopy, pipeline/accept.ts).
 */
export function mergeWhole(stored: StoredAlerts, incoming: readonly Alert[], now: Date, tally?: DedupTally, olderSnapshot = false): MergedAlerts {
  const { alerts, shownFiring, stale } = mergeCounting(stored, incoming, now, tally);
  const leftOut = firingLeftOut(stored.alerts, incoming, shownFiring);
  // A notification holding a stale copy is an older snapshot (an HA peer's, sent after the
  // newer one it waited for): what it leaves out may simply have started after it was taken.
  if (stale || olderSnapshot) return { alerts: leftOut.length ? [...alerts, ...leftOut] : alerts, endedUnseen: [] };
  return { alerts, endedUnseen: endedNow(leftOut, now) };
}

/**
 * Whether `incoming` holds a stale copy of an alert of `stored` (mergeCounting's rules, nothing
 * counted): the notification is an older snapshot, for every team's share of it.
 */
export function holdsStaleCopy(stored: StoredAlerts, incoming: readonly Alert[], now: Date): boolean {
  if (stored.alerts.length === 0 && !stored.tombstones?.length) return false;
  const { previous, dropped } = heldByFingerprint(stored);
  return incoming.some((a) => {
    const prev = previous.get(a.fingerprint);
    if (prev === undefined) {
      const tombstone = dropped?.get(a.fingerprint);
      return tombstone !== undefined && staleAfterDrop(tombstone, a, now);
    }
    return staleRevival(prev, a, now) || endOfEarlierEpisode(prev, a);
  });
}

/**
 * Whether every alert of `incoming` (one team's share of a truncated all-resolved notification)
 * is one the group already holds resolved, or keeps a tombstone of, with the same `startsAt`: a
 * copy of a notification already taken (an HA peer's, which with the default `peer_timeout`
 * comes 15 s after the other peer's), not the end of what fired since. Its left-out alerts were
 * taken as resolved when the first copy came; a left-out alert firing now was shown firing by a
 * newer notification (Alertmanager drops resolved alerts from the group once it notified them),
 * and taking this copy's status for its end resolved that group (a RESOLVED edit and reply, its
 * PagerDuty incident), which fired again as a new episode at the next resend. Only soon after
 * the group's last write, though (TRUNCATED_END_COPY_WINDOW_MS, pipeline/accept.ts
 * repeatsTruncatedEnd): later the same notification is the group's genuine end.
 */
export function showsOnlyKnownEnds(stored: StoredAlerts, incoming: readonly Alert[]): boolean {
  const known = (held: Alert | undefined, a: Alert) => held !== undefined && held.status === 'resolved' && held.startsAt === a.startsAt;
  const { previous, dropped } = heldByFingerprint(stored);
  return incoming.every((a) => a.status === 'resolved' && (known(previous.get(a.fingerprint), a) || known(dropped?.get(a.fingerprint), a)));
}

/**
 * Stored firing alerts that `incoming` does not show. `shownFiring` (mergeCounting) equal to the
 * stored firing count means none: incoming fingerprints are unique (normalizeWebhook keeps one
 * alert per fingerprint), so each stored firing alert was matched once. A stored list with a
 * fingerprint twice only makes the counts differ, which takes the full search below.
 */
function firingLeftOut(stored: readonly Alert[], incoming: readonly Alert[], shownFiring: number): Alert[] {
  let storedFiring = 0;
  for (const a of stored) if (a.status === 'firing') storedFiring++;
  if (storedFiring === shownFiring) return [];
  const shown = new Set(incoming.map((a) => a.fingerprint));
  return stored.filter((a) => a.status === 'firing' && !shown.has(a.fingerprint));
}

function endedNow(alerts: Alert[], now: Date): Alert[] {
  if (alerts.length === 0) return alerts;
  const endsAt = now.toISOString();
  return alerts.map((a) => ({ ...a, status: 'resolved', endsAt }));
}
