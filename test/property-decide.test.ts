/**
 * Dedup's decision (src/dedup/decide.ts) against its definition, on generated sequences of
 * notifications of one team group: stored copies that differ from the incoming ones in labels and
 * annotations, stale copies, alerts left out (ended unseen), truncated notifications, HA peers'
 * older snapshots, re-attribution passes, and `commonLabels`/`commonAnnotations` both as
 * Alertmanager computes them and as any other sender may set them (not held by every alert).
 * Label names include `__proto__`, `constructor` and `toString`, which a plain object inherits.
 *
 * What each decision must hold, whatever shortcut decide.ts takes:
 * - the group's common labels and annotations are the notification's entries that every alert it
 *   keeps has, with the same value, as its own entry; the notification's own object when all are;
 * - the snapshot's are the group's entries that every alert it shows has (the group's object when
 *   all are);
 * - `added`: the firing fingerprints (sorted) not firing before, all of them for a new episode;
 *   `resolved`: those firing before and not now, sorted;
 * - each notification's keys come in one order, `reason` only when suppressed, `lastError` only
 *   when a dead post of the same content is named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideGroup, type TeamGroupUpdate } from '../src/dedup/decide.js';
import type { Alert, Labels } from '../src/model/alert.js';
import { contentHash } from '../src/model/content-hash.js';
import { MAY_HAVE_POSTED } from '../src/model/post-notes.js';
import type { Target } from '../src/model/target.js';
import type { GroupRecord } from '../src/store/store.js';

const RUNS = 3_000;
const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const pd: Target = { type: 'pagerduty', team: 'payments' };

/** The definition (the code before the shortcut): `common`'s entries every alert has as its own, same value. */
function sharedDefinition(alerts: readonly Alert[], common: Labels, field: 'labels' | 'annotations'): Labels {
  const names = Object.keys(common);
  const shared = names.filter((k) => alerts.every((a) => Object.hasOwn(a[field], k) && a[field][k] === common[k]));
  if (shared.length === names.length) return common;
  return Object.fromEntries(shared.map((k) => [k, common[k]!]));
}

const NAMES = ['alertname', 'instance', 'severity', '__proto__', 'constructor', 'toString'] as const;
const VALUES = ['x', 'y', ''] as const;
// fromEntries: `__proto__` stays an own entry, as JSON.parse and the schema leave it.
const labelMap = fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { selector: ([k]) => k, maxLength: 5 }).map((e) => Object.fromEntries(e) as Labels);
const startsAt = fc.constantFrom('2026-11-20T08:00:00.000Z', '2026-11-20T08:30:00.000Z');

const alertArb = fc.record({
  fingerprint: fc.constantFrom('a', 'b', 'c', 'd'),
  status: fc.constantFrom('firing' as const, 'resolved' as const),
  labels: labelMap,
  annotations: labelMap,
  startsAt,
  endOffsetMs: fc.integer({ min: -3_600_000, max: 3_600_000 }),
});
const alertsArb = fc.uniqueArray(alertArb, { selector: (a) => a.fingerprint, maxLength: 4 });

const stepArb = fc.record({
  alerts: alertsArb,
  advanceMs: fc.integer({ min: 0, max: 20 * 60_000 }),
  truncatedAlerts: fc.constantFrom(0, 0, 0, 2),
  webhookStatus: fc.constantFrom(undefined, 'firing' as const, 'resolved' as const),
  olderSnapshot: fc.boolean(),
  fromStore: fc.constantFrom(false, false, false, true),
  targets: fc.constantFrom<Target[]>([slack], [slack, pd], [pd]),
  // Alertmanager's own (shared by every alert shown), or anything another sender put there.
  common: fc.oneof(fc.constant(undefined), fc.record({ labels: labelMap, annotations: labelMap })),
});

type GeneratedAlert = Pick<Alert, 'fingerprint' | 'status' | 'labels' | 'annotations' | 'startsAt'> & { endOffsetMs: number };

function toAlert(a: GeneratedAlert, nowMs: number): Alert {
  return {
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.status === 'resolved' ? new Date(Math.max(Date.parse(a.startsAt), nowMs + a.endOffsetMs)).toISOString() : null,
    generatorURL: '',
  };
}

/** What Alertmanager puts in commonLabels: the entries every alert shown has. */
function alertmanagerCommon(alerts: readonly Alert[], field: 'labels' | 'annotations'): Labels {
  const [first, ...rest] = alerts;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first[field]).filter(([k, v]) => rest.every((a) => Object.hasOwn(a[field], k) && a[field][k] === v)));
}

function firingOf(alerts: readonly Alert[]): string[] {
  return alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint);
}

describe('dedup decision, generated notification sequences', () => {
  it(`${RUNS} sequences: common labels and annotations, added/resolved and notification shapes as defined`, () => {
    let narrowed = 0;
    let snapshotNarrowed = 0;
    let noted = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 5 }), (steps) => {
        let prev: GroupRecord | undefined;
        let nowMs = T0;
        for (const s of steps) {
          nowMs += s.advanceMs;
          const now = new Date(nowMs);
          const alerts = s.alerts.map((a) => toAlert(a, nowMs));
          const common = s.common ?? { labels: alertmanagerCommon(alerts, 'labels'), annotations: alertmanagerCommon(alerts, 'annotations') };
          const u: TeamGroupUpdate = {
            groupId: 'g1',
            team: 'payments',
            notification: {
              receiver: 'alertgate',
              status: s.webhookStatus ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'),
              groupKey: '{}:{alertname="A"}',
              groupLabels: {},
              commonLabels: common.labels,
              commonAnnotations: common.annotations,
              externalURL: '',
              truncatedAlerts: s.truncatedAlerts,
            },
            alerts,
            targets: s.targets,
            dedupWindowMs: 10 * 60_000,
            ...(s.fromStore ? { fromStore: true as const } : {}),
            ...(s.olderSnapshot && !s.fromStore ? { olderSnapshot: true as const } : {}),
          };
          // Some dead Slack notifications owed, of this content or another: lastError's case.
          const before: GroupRecord | undefined = prev && {
            ...prev,
            owedTargets: ['slack:#payments-alerts'],
            owedDead: { 'slack:#payments-alerts': { id: 7, createdAt: prev.updatedAt, lastError: `slack: ${MAY_HAVE_POSTED}`, contentHash: prev.notifiedHash ?? contentHash([]) } },
          };
          const { group, notifications } = decideGroup(before, u, now);

          const groupLabels = sharedDefinition(group.alerts, u.notification.commonLabels, 'labels');
          const groupAnnotations = sharedDefinition(group.alerts, u.notification.commonAnnotations, 'annotations');
          expect(group.commonLabels).toEqual(groupLabels);
          expect(group.commonAnnotations).toEqual(groupAnnotations);
          if (groupLabels === u.notification.commonLabels) expect(group.commonLabels).toBe(u.notification.commonLabels);
          if (groupAnnotations === u.notification.commonAnnotations) expect(group.commonAnnotations).toBe(u.notification.commonAnnotations);
          if (groupLabels !== u.notification.commonLabels || groupAnnotations !== u.notification.commonAnnotations) narrowed++;

          const prevFiring = new Set(firingOf(before?.alerts ?? []));
          const firing = firingOf(group.alerts).sort();
          for (const n of notifications) {
            const snap = n.snapshot;
            const labels = sharedDefinition(snap.alerts, group.commonLabels, 'labels');
            const annotations = sharedDefinition(snap.alerts, group.commonAnnotations, 'annotations');
            expect(snap.commonLabels).toEqual(labels);
            expect(snap.commonAnnotations).toEqual(annotations);
            if (labels === group.commonLabels) expect(snap.commonLabels).toBe(group.commonLabels);
            if (annotations === group.commonAnnotations) expect(snap.commonAnnotations).toBe(group.commonAnnotations);
            if (labels !== group.commonLabels || annotations !== group.commonAnnotations) snapshotNarrowed++;

            expect(snap.change.added).toEqual(snap.change.kind === 'new' ? firing : firing.filter((f) => !prevFiring.has(f)));
            expect(snap.change.resolved).toEqual([...prevFiring].filter((f) => !firing.includes(f)).sort());
            const keys = ['groupId', 'team', 'target', 'kind', 'status', ...(n.status === 'suppressed' ? ['reason'] : []), ...(n.lastError !== undefined ? ['lastError'] : []), 'snapshot'];
            expect(Object.keys(n)).toEqual(keys);
            if (n.lastError !== undefined) noted++;
          }
          prev = group;
        }
      }),
      { numRuns: RUNS },
    );
    // The generator reaches the cases the definition is about: narrowed by the group's alerts
    // (a sender's common entries, stored copies) and by alerts ended unseen.
    expect(narrowed).toBeGreaterThan(RUNS / 10);
    expect(snapshotNarrowed).toBeGreaterThan(10);
    expect(noted).toBeGreaterThan(10);
  });
});
