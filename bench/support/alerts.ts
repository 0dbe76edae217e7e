/**
 * @module bench/support/alerts
 * The synthetic alerts every benchmark sends, and the two wire shapes that carry them: an
 * Alertmanager v4 webhook (to alertgate) and a `POST /api/v2/alerts` body (to Alertmanager, as
 * Prometheus sends it). Request `i` of a run carries the same alerts in both shapes, so the peer
 * comparison is like for like.
 *
 * Each request is one Alertmanager group (`bench_group` label, a distinct `groupKey`) of `batch`
 * alerts, spread over four teams by `namespace`. Every `REPEAT_EVERY`th request is an exact copy
 * of a request a few back (an HA peer's or a retry's copy): alertgate suppresses it as a
 * duplicate, Alertmanager merges it.
 */
import { labelsFingerprint } from '../../src/ingest/fingerprint.js';

export const BENCH_TEAMS = ['payments', 'prisons', 'probation', 'platform'] as const;
/** One request in this many repeats an earlier one exactly (10 %). */
export const REPEAT_EVERY = 10;
const REPEAT_BACK = 3;
const STARTS_AT = '2026-11-20T09:00:00.000Z';

export interface BenchAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The group a request carries: a repeat points back at an earlier request's group. */
export function groupOf(request: number): { group: number; repeat: boolean } {
  const repeat = request >= REPEAT_BACK && request % REPEAT_EVERY === REPEAT_EVERY - 1;
  return { group: repeat ? request - REPEAT_BACK : request, repeat };
}

export function teamOf(group: number): string {
  return BENCH_TEAMS[group % BENCH_TEAMS.length]!;
}

/** `batch` alerts of one group, with the label shapes of node/pod alerts (about 450 bytes each). */
export function groupAlerts(run: string, group: number, batch: number, alertname?: string): BenchAlert[] {
  const team = teamOf(group);
  const name = alertname ?? `BenchAlert${group % 40}`;
  // Keys in sorted order, as Alertmanager (Go's encoding/json) writes label maps.
  return Array.from({ length: batch }, (_, k) => ({
    labels: {
      alertname: name,
      bench_group: `${run}-${group}`,
      container: 'app',
      instance: `10.${(group >> 8) & 255}.${group & 255}.${k % 250}:8080`,
      job: 'kube-state-metrics',
      namespace: `${team}-prod`,
      pod: `app-${group % 1000}-${k}-7d9f8c6b5-x2k4q`,
      prometheus: 'monitoring/prometheus-operated',
      severity: k === 0 && group % 20 === 0 ? 'critical' : 'warning',
    },
    annotations: {
      description: `Container app of pod app-${group % 1000}-${k} restarted 5 times in the last 10 minutes.`,
      runbook_url: 'https://runbooks.example/kube-pod-crash-looping',
      summary: `Pod ${team}-prod/app-${group % 1000}-${k} is crash looping`,
    },
  }));
}

/** Labels every alert of the list shares (Alertmanager's commonLabels / commonAnnotations). */
function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first ?? {})) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/** The Alertmanager v4 webhook alertgate receives for one group. */
export function webhookBody(run: string, group: number, batch: number, alertname?: string): string {
  const alerts = groupAlerts(run, group, batch, alertname);
  return JSON.stringify({
    receiver: 'alertgate',
    status: 'firing',
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: STARTS_AT,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=kube_pod_container_status_restarts_total',
      fingerprint: labelsFingerprint(a.labels),
    })),
    groupLabels: { bench_group: `${run}-${group}` },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: `{}:{bench_group="${run}-${group}"}`,
    truncatedAlerts: 0,
  });
}

/** The same alerts as Prometheus posts them to Alertmanager's `POST /api/v2/alerts`. */
export function alertmanagerBody(run: string, group: number, batch: number): string {
  return JSON.stringify(
    groupAlerts(run, group, batch).map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: STARTS_AT,
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=kube_pod_container_status_restarts_total',
    })),
  );
}
