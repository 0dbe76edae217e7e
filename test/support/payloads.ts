/**
 * Alertmanager webhook bodies for tests, in the exact v4 shape (see test/fixtures).
 */
import { readFileSync } from 'node:fs';

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export interface TestAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  fingerprint?: string;
}

export function webhook(groupKey: string, alerts: TestAlert[], extra: Record<string, unknown> = {}) {
  const status = alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
  return {
    receiver: 'alertgate',
    status,
    alerts: alerts.map((a) => {
      const startsAt = a.startsAt ?? '2026-11-20T09:00:00.000Z';
      // A resolved alert ended half an hour after it started (never before: Alertmanager refuses that).
      const endsAt = new Date(Date.parse(startsAt) + 30 * 60_000).toISOString();
      return {
        status: a.status ?? 'firing',
        labels: a.labels,
        annotations: a.annotations ?? {},
        startsAt,
        endsAt: (a.status ?? 'firing') === 'firing' ? '0001-01-01T00:00:00Z' : endsAt,
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
        ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
      };
    }),
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? '' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    ...extra,
  };
}
