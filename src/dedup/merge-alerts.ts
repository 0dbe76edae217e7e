/**
 * @module dedup/merge-alerts
 * Merge an incoming group snapshot over the stored one.
 *
 * Alertmanager sends the whole group each time, so the incoming list replaces the stored one,
 * with one exception: an HA peer (or a delayed retry) can deliver an older snapshot after a newer
 * one. An alert we already hold as resolved is not revived by a "firing" copy with the same
 * `startsAt` — a real re-fire starts a new alert instance with a later `startsAt`.
 */
import type { Alert } from '../model/alert.js';

export function mergeAlerts(stored: readonly Alert[], incoming: readonly Alert[]): Alert[] {
  const previous = new Map(stored.map((a) => [a.fingerprint, a]));
  return incoming.map((a) => {
    const prev = previous.get(a.fingerprint);
    const staleRevival = prev?.status === 'resolved' && a.status === 'firing' && prev.startsAt === a.startsAt;
    return staleRevival ? prev : a;
  });
}

export function firingFingerprints(alerts: readonly Alert[]): string[] {
  return alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint).sort();
}
