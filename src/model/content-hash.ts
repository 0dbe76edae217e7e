/**
 * @module model/content-hash
 * What dedup calls a group's content: its set of firing alerts, as in Alertmanager's
 * notification log (dedup/decide.ts). Here, not in dedup/, because the stores hash a dead
 * notification's snapshot with it too (GroupRecord.owedDead): what that notification's Slack
 * post shows.
 */
import { sha256Hex } from './sha256.js';

/** The fingerprints of the firing alerts, sorted. */
export function firingFingerprints(alerts: readonly { status: string; fingerprint: string }[]): string[] {
  return alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint).sort();
}

export function contentHash(firing: readonly string[]): string {
  return sha256Hex(firing.join(',')).slice(0, 32);
}

/** The content hash of a group's (or a notification snapshot's) alerts. */
export function alertsContentHash(alerts: readonly { status: string; fingerprint: string }[]): string {
  return contentHash(firingFingerprints(alerts));
}
