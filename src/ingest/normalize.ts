/**
 * @module ingest/normalize
 * Webhook body → IncomingNotification (our model).
 */
import type { Alert, IncomingNotification } from '../model/alert.js';
import { labelsFingerprint } from './fingerprint.js';
import { utcMillisText } from '../model/time-text.js';
import type { WebhookBody } from './webhook-schema.js';
import { withoutTrailingSlashes } from '../model/url-text.js';

/** Go's zero time: Alertmanager's way of saying "no end yet". */
function isZeroTime(t: string | undefined): boolean {
  return t === undefined || t.startsWith('0001-01-01');
}

/** A checked time as the store keeps it (UTC, milliseconds). */
function isoText(t: string): string {
  return utcMillisText(t) ?? new Date(t).toISOString();
}

export function normalizeWebhook(body: WebhookBody): IncomingNotification {
  const alerts: Alert[] = body.alerts.map((a) => ({
    fingerprint: a.fingerprint ?? labelsFingerprint(a.labels),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: isoText(a.startsAt),
    endsAt: isZeroTime(a.endsAt) || a.status === 'firing' ? null : isoText(a.endsAt!),
    generatorURL: a.generatorURL,
  }));
  return {
    receiver: body.receiver,
    status: body.status,
    groupKey: body.groupKey,
    groupLabels: body.groupLabels,
    commonLabels: body.commonLabels,
    commonAnnotations: body.commonAnnotations,
    externalURL: withoutTrailingSlashes(body.externalURL),
    truncatedAlerts: body.truncatedAlerts,
    alerts,
  };
}
