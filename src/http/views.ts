/**
 * @module http/views
 * API shapes of stored records: what operators see, never secrets (PagerDuty targets name the
 * team and where its routing key is read, `keySource`, never the key).
 */
import type { AlertRecord, NotificationRecord } from '../store/store.js';

export function notificationView(n: NotificationRecord) {
  const s = n.snapshot;
  return {
    id: n.id,
    team: n.team,
    groupId: n.groupId,
    groupKey: s.groupKey,
    receiver: n.target.type,
    target: n.target,
    kind: n.kind,
    status: n.status,
    reason: n.reason,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: n.createdAt,
    nextAttemptAt: n.nextAttemptAt,
    sentAt: n.sentAt,
    group: {
      status: s.status,
      alertnames: [...new Set(s.alerts.map((a) => a.labels.alertname ?? ''))].filter(Boolean).sort(),
      firing: s.alerts.filter((a) => a.status === 'firing').length,
      resolved: s.alerts.filter((a) => a.status === 'resolved').length,
    },
  };
}

export function alertView(a: AlertRecord) {
  return {
    fingerprint: a.fingerprint,
    team: a.team,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    groupId: a.groupId,
    groupKey: a.groupKey,
    updatedAt: a.updatedAt,
  };
}
