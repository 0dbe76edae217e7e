/**
 * @module ingest/normalize
 * Webhook body → IncomingNotification (our model).
 */
import type { Alert, IncomingNotification } from '../model/alert.js';
import { labelsFingerprint } from './fingerprint.js';
import { rfc3339UtcText } from '../model/time-text.js';
import type { WebhookBody } from './webhook-schema.js';
import { withoutTrailingSlashes } from '../model/url-text.js';

/** Go's zero time: Alertmanager's way of saying "no end yet". */
function isZeroTime(t: string | undefined): boolean {
  return t === undefined || t.startsWith('0001-01-01');
}

/**
 * Text stored as is (not inside JSON) without NUL: PostgreSQL text cannot hold U+0000, and a
 * webhook whose groupKey had one (a group_by label value with it) answered 503 for ever there,
 * while SQLite took it. Replaced by U+FFFD on every store alike; labels and annotations are
 * stored as JSON, which escapes it.
 */
function withoutNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
}

/** A checked (RFC3339) time as the store keeps it (UTC, milliseconds). */
function isoText(t: string): string {
  const iso = rfc3339UtcText(t);
  if (iso === undefined) throw new Error(`not an RFC3339 timestamp: ${JSON.stringify(t.slice(0, 64))} (the webhook schema refuses it)`);
  return iso;
}

export function normalizeWebhook(body: WebhookBody): IncomingNotification {
  const alerts: Alert[] = body.alerts.map((a) => ({
    fingerprint: a.fingerprint === undefined ? labelsFingerprint(a.labels) : withoutNul(a.fingerprint),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: isoText(a.startsAt),
    endsAt: isZeroTime(a.endsAt) || a.status === 'firing' ? null : isoText(a.endsAt!),
    generatorURL: withoutNul(a.generatorURL),
  }));
  return {
    receiver: withoutNul(body.receiver),
    status: body.status,
    groupKey: withoutNul(body.groupKey),
    groupLabels: body.groupLabels,
    commonLabels: body.commonLabels,
    commonAnnotations: body.commonAnnotations,
    externalURL: withoutNul(withoutTrailingSlashes(body.externalURL)),
    truncatedAlerts: body.truncatedAlerts,
    alerts,
  };
}
