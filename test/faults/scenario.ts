/**
 * Seeded, reproducible alert traffic for the fault suite: many groups across the fault teams, each
 * a sequence of Alertmanager webhook snapshots in which alerts fire, resolve and fire again. Every
 * snapshot carries a unique `summary` ("fault-group G step S"), so each receiver call can be told
 * apart and a repeated call recognised.
 */
import { FAULT_TEAMS, namespaceOf, type FaultTeam } from '../support/fault-harness.js';

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type AlertState = 'firing' | 'resolved';

export interface GroupScript {
  index: number;
  team: FaultTeam;
  alertname: string;
  groupKey: string;
  instances: string[];
  /** Webhook bodies in the order Alertmanager sends them. */
  steps: Record<string, unknown>[];
  /** State of each instance in the last step. */
  final: Map<string, AlertState>;
}

export const SUMMARY_RE = /fault-group (\d+) step (\d+)/;
const BASE = Date.parse('2026-11-20T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

export function buildScripts(opts: { seed: number; groups: number; steps: number; firstStepResolvedShare?: number }): GroupScript[] {
  const random = seededRandom(opts.seed);
  const scripts: GroupScript[] = [];
  for (let g = 0; g < opts.groups; g++) {
    const team = FAULT_TEAMS[g % FAULT_TEAMS.length]!;
    const alertname = `Fault${g}`;
    const instances = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => `i${k}`);
    const state = new Map<string, { status: AlertState; startsAt: number; endsAt: number | null }>(
      instances.map((i) => [i, { status: 'firing', startsAt: BASE + g * 1000, endsAt: null }]),
    );
    const endAllResolved = random() < 0.5;
    const steps: Record<string, unknown>[] = [];
    for (let s = 0; s < opts.steps; s++) {
      const at = BASE + (s + 1) * 60_000 + g * 1000;
      if (s > 0) {
        for (const [, a] of state) {
          const last = s === opts.steps - 1;
          const flip = last && endAllResolved ? a.status === 'firing' : random() < 0.3;
          if (!flip) continue;
          // A re-fire is a new alert instance with a later startsAt (an HA peer's stale copy is not).
          if (a.status === 'firing') Object.assign(a, { status: 'resolved', endsAt: at });
          else Object.assign(a, { status: 'firing', startsAt: at, endsAt: null });
        }
      }
      steps.push(body(g, s, team, alertname, state));
    }
    scripts.push({
      index: g,
      team,
      alertname,
      groupKey: groupKeyOf(team, alertname),
      instances,
      steps,
      final: new Map([...state].map(([i, a]) => [i, a.status])),
    });
  }
  return scripts;
}

const groupKeyOf = (team: string, alertname: string) => `{}/{namespace="${team}-prod"}:{alertname="${alertname}"}`;

function body(g: number, s: number, team: FaultTeam, alertname: string, state: Map<string, { status: AlertState; startsAt: number; endsAt: number | null }>) {
  const common = { alertname, namespace: namespaceOf(team), severity: 'critical' };
  // Alertmanager's commonAnnotations are the annotations every alert of the notification has:
  // the step's marker is each alert's, as a real rule's summary is (alertgate shows only what
  // every alert shown shares, model/common-fields.ts).
  const annotations = { summary: `fault-group ${g} step ${s}` };
  const alerts = [...state].map(([instance, a]) => ({
    status: a.status,
    labels: { ...common, instance },
    annotations: { ...annotations },
    startsAt: iso(a.startsAt),
    endsAt: a.endsAt === null ? '0001-01-01T00:00:00Z' : iso(a.endsAt),
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    fingerprint: `${g.toString(16).padStart(12, '0')}${instance.slice(1).padStart(4, '0')}`,
  }));
  return {
    receiver: 'alertgate',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: { alertname },
    // Alertmanager's commonLabels: the labels every alert shares (instance only when alone).
    commonLabels: alerts.length === 1 ? { ...common, instance: 'i0' } : common,
    commonAnnotations: { ...annotations },
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: groupKeyOf(team, alertname),
    truncatedAlerts: 0,
  };
}

/** How an alert is named in its Slack section (alertDisplayName: distinguishing labels only). */
export function displayName(script: GroupScript, instance: string): string {
  return script.instances.length === 1 ? script.alertname : `${script.alertname} (instance=${instance})`;
}
