/**
 * @module storm/one-alert-group.case
 * Test input for the storm module tests: Alertmanager group `A<i>` with one alert, firing or
 * resolved (at `resolvedAt`), carrying `labels` besides its alertname.
 */
import type { IncomingNotification, Labels } from '../model/alert.js';

export function oneAlertGroup(i: number, status: 'firing' | 'resolved', opts: { labels?: Labels; resolvedAt: string }): IncomingNotification {
  return {
    receiver: 'am',
    status,
    groupKey: `{}:{alertname="A${i}"}`,
    groupLabels: { alertname: `A${i}` },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    truncatedAlerts: 0,
    alerts: [
      {
        fingerprint: `f${i}`,
        status,
        labels: { alertname: `A${i}`, ...opts.labels },
        annotations: {},
        startsAt: '2026-11-27T09:59:00Z',
        endsAt: status === 'resolved' ? opts.resolvedAt : null,
        generatorURL: '',
      },
    ],
  };
}
