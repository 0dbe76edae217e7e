/**
 * @module ingest/normalize
 * Webhook body → IncomingNotification (our model).
 */
import { sha256Hex } from '../model/sha256.js';
import { capLogText, type Logger } from '../log/logger.js';
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

/**
 * Longest fingerprint kept as sent. Alertmanager's are 16 hex digits, but the field is the
 * sender's text, and PostgreSQL indexes it (alerts' primary key (group_id, fingerprint) and three
 * more): a btree entry over ~2.7 KB fails the insert, so a webhook with a 3 KB fingerprint
 * answered 503 on every retry and was never accepted. 128 characters are at most 384 bytes of
 * UTF-8, far below that.
 */
export const MAX_FINGERPRINT_CHARS = 128;

/**
 * The fingerprint as stored: a longer one is replaced by `sha256:` and the SHA-256 of its text
 * in hex (71 characters), on every store alike. Not refused: that would drop the webhook's other
 * alerts for good. Still one stable identity per sent fingerprint, so dedup is unchanged.
 */
function storedFingerprint(sent: string): string {
  const text = withoutNul(sent);
  return text.length <= MAX_FINGERPRINT_CHARS ? text : `sha256:${sha256Hex(text)}`;
}

/** A checked (RFC3339) time as the store keeps it (UTC, milliseconds). */
function isoText(t: string): string {
  const iso = rfc3339UtcText(t);
  if (iso === undefined) throw new Error(`not an RFC3339 timestamp: ${JSON.stringify(t.slice(0, 64))} (the webhook schema refuses it)`);
  return iso;
}

/**
 * One alert per fingerprint, the last of each kept, in its place; `alerts` itself when there is
 * nothing to drop (Alertmanager never repeats one: one Map per webhook, nothing per alert).
 */
function lastPerFingerprint(alerts: Alert[]): Alert[] {
  if (alerts.length < 2) return alerts;
  const last = new Map<string, number>();
  for (let i = 0; i < alerts.length; i++) last.set(alerts[i]!.fingerprint, i);
  return last.size === alerts.length ? alerts : alerts.filter((a, i) => last.get(a.fingerprint) === i);
}

/**
 * `log`: where a webhook repeating a fingerprint is reported (below).
 *
 * A fingerprint names one alert, so a webhook holding it twice (Alertmanager never does; other
 * senders can, e.g. X firing and X resolved) keeps only the last copy, as the stores would (an
 * upsert per alert): keeping both let the group's snapshot and Slack message show X twice and
 * count it firing, while the store kept X resolved, so an identical resend read as "X resolved"
 * and posted a false RESOLVED. Refusing the webhook (4xx) would drop its other alerts for good.
 */
export function normalizeWebhook(body: WebhookBody, log?: Pick<Logger, 'warn'>): IncomingNotification {
  const sent: Alert[] = body.alerts.map((a) => ({
    fingerprint: a.fingerprint === undefined ? labelsFingerprint(a.labels) : storedFingerprint(a.fingerprint),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: isoText(a.startsAt),
    endsAt: isZeroTime(a.endsAt) || a.status === 'firing' ? null : isoText(a.endsAt!),
    generatorURL: withoutNul(a.generatorURL),
  }));
  const alerts = lastPerFingerprint(sent);
  if (alerts !== sent) {
    log?.warn(
      { receiver: capLogText(body.receiver), groupKey: capLogText(body.groupKey), alerts: sent.length, duplicates: sent.length - alerts.length },
      'webhook repeats alert fingerprints; kept the last alert of each (Alertmanager never sends a fingerprint twice: check the sender)',
    );
  }
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
