/**
 * @module dedup/tombstones
 * What a group remembers of the resolved alerts it dropped. Alertmanager shows a resolved alert
 * in one notification and leaves it out of the next ones, and a whole notification replaces the
 * group's list (merge-alerts.ts), so the group forgets it. A lagging HA peer's firing copy of it
 * (sent before that peer learnt of the end) then looked like a new alert: FIRING again in Slack,
 * a PagerDuty trigger. So each dropped resolved alert is kept as a tombstone (stored with the
 * group's alerts, store/rows.ts) for STALE_COPY_WINDOW_MS after its end, and a firing copy that
 * started no later than it is ignored as stale (merge-alerts.ts staleAfterDrop), as a stored
 * resolved alert's copy is.
 *
 * Firing alerts a notification leaves out (silenced or inhibited, MergedAlerts.endedUnseen) get
 * none: Alertmanager shows them again, same `startsAt`, when the silence ends, and they fire.
 */
import type { Alert } from '../model/alert.js';
import { withinStaleCopyWindow, type StoredAlerts } from './merge-alerts.js';

/**
 * Most tombstones a group keeps (the latest ended): they are read with the group on every
 * webhook of it. A group dropping more resolved alerts than this within the window is left
 * unguarded for its earliest ended ones.
 */
export const MAX_TOMBSTONES = 100;

const NONE: readonly Alert[] = [];

/**
 * The group's tombstones once `alerts` replace `before` (its alerts and tombstones): the live
 * ones of before, and each resolved alert `alerts` leave out (ended now, if it had no end), less
 * the fingerprints `alerts` hold. Undefined when none: most groups never drop a resolved alert,
 * and their webhooks pass with one look over the stored list.
 */
export function nextTombstones(before: StoredAlerts | undefined, alerts: readonly Alert[], now: Date): Alert[] | undefined {
  const previous = before?.tombstones ?? NONE;
  const stored = before?.alerts ?? NONE;
  if (previous.length === 0 && !stored.some((a) => a.status === 'resolved')) return undefined;
  const kept = new Set(alerts.map((a) => a.fingerprint));
  const nowMs = now.getTime();
  const byFingerprint = new Map<string, Alert>();
  // Previous ones first: an alert dropped again now ended later than its old tombstone.
  for (const t of previous) byFingerprint.set(t.fingerprint, t);
  for (const a of stored) {
    if (a.status === 'resolved' && !kept.has(a.fingerprint)) byFingerprint.set(a.fingerprint, a.endsAt === null ? { ...a, endsAt: now.toISOString() } : a);
  }
  const tombstones = [...byFingerprint.values()].filter((t) => !kept.has(t.fingerprint) && withinStaleCopyWindow(t.endsAt!, nowMs));
  if (tombstones.length > MAX_TOMBSTONES) {
    tombstones.sort((x, y) => Date.parse(y.endsAt!) - Date.parse(x.endsAt!));
    tombstones.length = MAX_TOMBSTONES;
  }
  return tombstones.length > 0 ? tombstones : undefined;
}
