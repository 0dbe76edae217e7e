/**
 * @module http/webhook
 * POST /webhooks/alertmanager — answers 202 only after the alerts and the notifications they
 * cause are committed; 4xx for what retrying cannot fix (Alertmanager does not retry 4xx), 503 for
 * what it can (store down, shutting down).
 */
import { Hono, type Context } from 'hono';
import { normalizeWebhook } from '../ingest/normalize.js';
import { fastParseWebhook } from '../ingest/fast-parse.js';
import { webhookSchema, type WebhookBody } from '../ingest/webhook-schema.js';
import { acceptNotification, type AcceptResult } from '../pipeline/accept.js';
import { isHeldReason } from '../maintenance/hold.js';
import { DIGESTED_REASON } from '../storm/storm-control.js';
import { capLogText } from '../log/logger.js';
import { errorCause, FAILURE_REMINDER_MS, FailureStreakLog } from '../log/failure-streak.js';
import type { Logger } from '../log/logger.js';
import type { IncomingNotification } from '../model/alert.js';
import { isStoreFailure } from '../store/store-failure.js';
import type { Metrics } from '../metrics/metrics.js';
import { bearerToken, unauthorized } from './auth.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { issuesOf } from './pagination.js';
import { RefusalLog } from './refusal-log.js';
import { nodeIncoming, notJsonContentType, readBodyCapped, readEncodedBody } from './read-body.js';

/** What an answer is counted and logged with: one per route, not one per request. */
interface Answering {
  metrics: Metrics;
  refusals: RefusalLog;
}

/** Counts and times an answer (alertgate_webhook_requests_total, …_duration_seconds). */
function reply(a: Answering, started: number, res: Response): Response {
  const code = String(res.status);
  a.metrics.webhookRequests.inc({ code });
  a.metrics.webhookDuration.observe({ code }, (performance.now() - started) / 1000);
  return res;
}

/**
 * A 4xx: Alertmanager drops the notification for good and logs it only on its side, so the log
 * says which request it was (client address, user agent), throttled (http/refusal-log.ts).
 */
function refuse(a: Answering, c: Context, started: number, res: Response, error: string, issues?: { path: string; message: string }[]): Response {
  a.refusals.refused({
    code: res.status,
    error,
    client: nodeIncoming(c.env)?.socket.remoteAddress,
    userAgent: c.req.header('user-agent'),
    ...(issues ? { issues } : {}),
  });
  return reply(a, started, res);
}

/** A stored webhook's metrics and its `webhook accepted` line (and the truncation warning). */
function countAndLog(metrics: Metrics, logger: Logger, incoming: IncomingNotification, result: AcceptResult): void {
  for (const t of result.teams) {
    if (t.firing) metrics.alertsReceived.inc({ team: t.team, status: 'firing' }, t.firing);
    if (t.resolved) metrics.alertsReceived.inc({ team: t.team, status: 'resolved' }, t.resolved);
  }
  const { dedup } = result;
  if (dedup.staleFiring) metrics.dedupStaleCopies.inc({ kind: 'stale_firing' }, dedup.staleFiring);
  if (dedup.staleFiringDropped) metrics.dedupStaleCopies.inc({ kind: 'stale_firing_dropped' }, dedup.staleFiringDropped);
  if (dedup.lateResolved) metrics.dedupStaleCopies.inc({ kind: 'late_resolved' }, dedup.lateResolved);
  if (dedup.endedUnseen) metrics.alertsEndedUnseen.inc(dedup.endedUnseen);
  for (const [team, n] of Object.entries(dedup.renotifiedAfterDead)) metrics.dedupRenotifiedAfterDead.inc({ team }, n);
  for (const n of result.notifications) {
    if (n.status !== 'suppressed') continue;
    metrics.notifications.inc({ team: n.team, receiver: n.target.type, outcome: 'suppressed' });
    if (n.reason === DIGESTED_REASON) metrics.stormGroupsDigested.inc({ team: n.team });
    else if (isHeldReason(n.reason)) metrics.maintenanceHeld.inc({ team: n.team });
  }
  if (incoming.truncatedAlerts > 0) {
    // max_alerts on Alertmanager's webhook_config: alertgate sees part of the group only (README, "Alertmanager receiver").
    metrics.webhookTruncatedAlerts.inc(incoming.truncatedAlerts);
    logger.warn(
      { receiver: capLogText(incoming.receiver), groupKey: capLogText(incoming.groupKey), alerts: incoming.alerts.length, truncatedAlerts: incoming.truncatedAlerts },
      'Alertmanager left alerts out of this webhook (max_alerts on its webhook_config); set max_alerts: 0 for the alertgate receiver',
    );
  }
  logger.info(
    {
      groupKey: capLogText(incoming.groupKey),
      alerts: incoming.alerts.length,
      teams: result.teams.map((t) => t.team),
      queued: result.notifications.filter((n) => n.status === 'pending').length,
      suppressed: result.notifications.filter((n) => n.status === 'suppressed').length,
    },
    'webhook accepted',
  );
}

export function webhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { metrics, logger } = deps;
  const refusals = new RefusalLog(logger, {
    ...(deps.refusalLogNow ? { now: deps.refusalLogNow } : {}),
    ...(deps.logSecrets ? { secrets: deps.logSecrets } : {}),
  });
  const a: Answering = { metrics, refusals };
  // A store outage refuses every group Alertmanager sends, and it retries each: one line per
  // request flooded the log. The first refusal of each cause in full, then a line per cause per
  // 30 s counting and naming the groups refused meanwhile, and one when webhooks have been stored
  // for 30 s with none refused (a store failing now and then, a dead pooled connection, a
  // serialization failure, is one streak, not an error and a "recovered" line per failure),
  // written when those 30 s have passed, not at the next webhook (hours later on a quiet gateway).
  // Only the store's failures (store/store-failure.ts): a bug is logged per request.
  const storeFailures = new FailureStreakLog({
    logger,
    failing: 'could not store webhook; answering 503 so Alertmanager retries',
    recovered: 'storing webhooks works again (Alertmanager resends the groups refused meanwhile); recovered',
    causeOf: errorCause,
    quietMs: FAILURE_REMINDER_MS,
    subjects: { one: 'groupKey', named: 'groupKeys', count: 'groups', notNamed: 'groupsNotNamed' },
    ...(deps.outageLogNow ? { now: deps.outageLogNow } : {}),
    ...(deps.outageLogTimer ? { after: deps.outageLogTimer } : {}),
  });
  deps.shutdown?.addEventListener('abort', () => storeFailures.stop(), { once: true });

  const tooLarge = (what: string) => `${what}request body exceeds WEBHOOK_MAX_BYTES (${deps.maxBodyBytes} bytes)`;

  app.post('/webhooks/alertmanager', async (c) => {
    const started = performance.now();
    if (deps.webhookToken !== undefined) {
      const presented = bearerToken(c.req.header('authorization'));
      // A miss reads WEBHOOK_TOKEN_FILE again (rate-limited): a rotated Secret needs no restart.
      if (!deps.webhookToken.matches(presented) && !(await deps.webhookToken.recheck(presented))) {
        return refuse(a, c, started, unauthorized(c, presented, 'missing or invalid bearer token'), 'missing or invalid bearer token');
      }
    }
    const notJson = notJsonContentType(c.req.header('content-type'));
    if (notJson !== undefined) return refuse(a, c, started, jsonError(c, 415, notJson), notJson);
    // Plain bodies (Alertmanager's) take the plain read; one header lookup is all they pay for codings.
    const encoding = c.req.header('content-encoding');
    let text: string;
    if (encoding === undefined) {
      const body = await readBodyCapped(c.req.raw, deps.maxBodyBytes, nodeIncoming(c.env));
      if (!body.ok) return refuse(a, c, started, jsonError(c, 413, tooLarge('')), tooLarge(''));
      text = body.text;
    } else {
      const body = await readEncodedBody(c.req.raw, deps.maxBodyBytes, encoding, (decoded) => tooLarge(decoded ? 'decompressed ' : ''), nodeIncoming(c.env));
      if (!body.ok) return refuse(a, c, started, jsonError(c, body.status, body.error), body.error);
      text = body.text;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      const error = `invalid JSON: ${(err as SyntaxError).message}`;
      return refuse(a, c, started, jsonError(c, 400, error), error);
    }
    // Well-formed bodies take the fast path; anything else gets the schema's verdict and paths.
    let payload: WebhookBody | undefined = fastParseWebhook(json);
    if (payload === undefined) {
      const parsed = webhookSchema.safeParse(json);
      if (!parsed.success) {
        const issues = issuesOf(parsed.error);
        // The log line names the first few issues (the answer lists up to 100).
        return refuse(a, c, started, jsonError(c, 400, 'invalid Alertmanager webhook payload', { issues }), 'invalid Alertmanager webhook payload', issues.slice(0, 5));
      }
      payload = parsed.data;
    }
    const routing = deps.routing();
    if (!routing || !deps.accepting()) {
      return reply(a, started, jsonError(c, 503, routing ? 'shutting down; retry on another replica' : 'no valid configuration loaded'));
    }
    const incoming = normalizeWebhook(payload, logger);
    // Only the write is tried here: what follows it must not refuse a webhook already stored.
    let result: AcceptResult;
    try {
      result = await acceptNotification(deps.store, routing, incoming, {
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
        ...(deps.stormWindowMs ? { stormWindowMs: deps.stormWindowMs } : {}),
        ...(deps.handOff ? { handOff: deps.handOff } : {}),
      });
    } catch (err) {
      if (isStoreFailure(err)) {
        storeFailures.failed(err, { subject: capLogText(incoming.groupKey) });
        return reply(a, started, jsonError(c, 503, 'store unavailable; retry later'));
      }
      // A bug meeting this payload (the decisions run under the store's lock, in this call): not
      // an outage, so a line per request, naming the group. 503 all the same: a fixed release
      // then takes the group Alertmanager retries, where a 4xx would have dropped it for good.
      logger.error({ err, groupKey: capLogText(incoming.groupKey) }, 'webhook processing failed (not the store); answering 503 so Alertmanager retries');
      return reply(a, started, jsonError(c, 503, 'could not process the webhook; retry later'));
    }
    storeFailures.succeeded();
    try {
      countAndLog(metrics, logger, incoming, result);
      // Items leased to the local worker are on their way already; the rest wait for a claim.
      if (result.notifications.some((n) => n.status === 'pending' && n.leasedTo === undefined)) deps.onAccepted?.();
    } catch (err) {
      // Stored: a 503 would have Alertmanager send it again, for nothing. (Without the wake-up,
      // the worker's poll finds the new notifications within OUTBOX_POLL.)
      logger.error({ err, groupKey: capLogText(incoming.groupKey) }, 'webhook stored, but what follows its write failed (metrics, log, outbox wake-up); answering 202');
    }
    return reply(a, started, c.json({ accepted: incoming.alerts.length }, 202));
  });
  return app;
}
