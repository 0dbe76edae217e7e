/**
 * @module model/common-fields
 * The labels and annotations every alert of a team group's snapshot shares. Alertmanager's
 * `commonLabels` and `commonAnnotations` are those of the alerts in its notification; the
 * snapshot alertgate renders may hold more: an alert the notification left out (silenced or
 * inhibited there) that ends with it, or one an HA peer's older snapshot left out and that is
 * kept as it was (dedup/merge-alerts.ts). Taken as they came, the notification's `instance=i3`
 * read as the whole group's label in the Slack message, and i3 was named without it ("1 new
 * alert: CheckoutDown") beside the silenced "CheckoutDown (instance=i1)".
 */
import type { Alert, Labels } from './alert.js';

/** The entries of `common` that every alert has in `field` with the same value (`common` itself when all do). */
export function sharedAmong(alerts: readonly Alert[], common: Labels, field: 'labels' | 'annotations'): Labels {
  const names = Object.keys(common);
  const shared = names.filter((k) => alerts.every((a) => Object.hasOwn(a[field], k) && a[field][k] === common[k]));
  if (shared.length === names.length) return common;
  // fromEntries, not assignment: a label named `__proto__` stays a label (model/text-map-schema.ts).
  return Object.fromEntries(shared.map((k) => [k, common[k]!]));
}
