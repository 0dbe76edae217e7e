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

/**
 * The entries of `common` that every alert has in `field` as its own, with the same value
 * (`common` itself when all do). Runs on every dedup decision, twice: plain loops, and nothing
 * allocated unless an entry is not shared (test/property-decide.test.ts holds it to the
 * definition: names.filter(k => alerts.every(a => Object.hasOwn(a[field], k) && a[field][k] === common[k]))).
 * It cannot be skipped when the alerts are the notification's own: another sender's common
 * entries need not hold for them.
 */
export function sharedAmong(alerts: readonly Alert[], common: Labels, field: 'labels' | 'annotations'): Labels {
  const names = Object.keys(common);
  // Undefined while every name so far is shared; then the shared names.
  let shared: string[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    const v = common[k];
    let all = true;
    for (const a of alerts) {
      const own = a[field];
      // The value first: the cheaper test, and the one that fails on a differing alert.
      if (own[k] !== v || !Object.hasOwn(own, k)) {
        all = false;
        break;
      }
    }
    if (!all) shared ??= names.slice(0, i);
    else if (shared) shared.push(k);
  }
  if (shared === undefined) return common;
  // fromEntries, not assignment: a label named `__proto__` stays a label (model/text-map-schema.ts).
  return Object.fromEntries(shared.map((k) => [k, common[k]!]));
}
