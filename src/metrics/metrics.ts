/**
 * @module metrics/metrics
 * alertgate's Prometheus metrics, on a Registry owned by one app instance (never the global one,
 * so tests and several instances in one process do not collide).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { POST_LOOKUP_RESULTS } from '../delivery/slack/post-lookup.js';

export type NotificationOutcome = 'sent' | 'suppressed' | 'failed' | 'dead';

/** What asked for a config reload after start: SIGHUP, `POST /-/reload`, or a change of the files on disk (config/config-watch.ts). */
export type ConfigReloadTrigger = 'signal' | 'api' | 'file_change';
const CONFIG_RELOAD_TRIGGERS: readonly ConfigReloadTrigger[] = ['signal', 'api', 'file_change'];

/**
 * What a receiver's rate limit holds (outbox/worker.ts): a Slack channel's calls, a Slack method
 * in every channel of the workspace (chat.update), or a team's PagerDuty events (its routing key).
 */
export type RateLimitScope = 'channel' | 'workspace' | 'routing_key';

export interface Metrics {
  registry: Registry;
  webhookRequests: Counter<'code'>;
  httpUnmatchedRequests: Counter<'method'>;
  webhookDuration: Histogram<'code'>;
  alertsReceived: Counter<'team' | 'status'>;
  webhookTruncatedAlerts: Counter;
  notifications: Counter<'team' | 'receiver' | 'outcome'>;
  deliveryLatency: Histogram<'receiver'>;
  outboxDepth: Gauge;
  outboxOldestAge: Gauge;
  stormGroupsDigested: Counter<'team'>;
  maintenanceHeld: Counter<'team'>;
  maintenanceReleased: Counter<'team'>;
  stormPagesReleased: Counter<'team'>;
  maintenanceHeldGroups: Gauge<'team'>;
  historyPruned: Counter<'kind'>;
  uptimeReports: Counter<'team' | 'outcome'>;
  historyPruneLastPass: Gauge;
  configReloadSuccessful: Gauge;
  configReloadTimestamp: Gauge;
  configReloads: Counter<'trigger' | 'outcome'>;
  rateLimited: Counter<'team' | 'receiver' | 'scope'>;
  leaseCuts: Counter<'receiver'>;
  deliveryThreadRestarts: Counter;
  staleOutcomes: Counter<'receiver'>;
  slackPostLookups: Counter<'result'>;
  dedupStaleCopies: Counter<'kind'>;
  dedupRenotifiedAfterDead: Counter<'team'>;
  alertsEndedUnseen: Counter;
  storeCommitSeconds: Histogram;
  storeCommitWrites: Histogram;
}

export interface MetricSources {
  outboxDepth?: () => Promise<number>;
  /** When the oldest notification still waiting was created (null: none waits), read at each scrape. */
  oldestWaitingCreatedAt?: () => Promise<Date | null>;
  /** The clock that notification's age is measured with (tests move it on); default the system clock. */
  now?: () => Date;
  /** Held groups per team, read at each scrape. */
  heldGroups?: () => Promise<Record<string, number>>;
  defaultMetrics?: boolean;
  /**
   * Told once when a scrape's store reads first fail (err) and once when they succeed again
   * (undefined): a scrape every 15 s during an outage must not log a line each time.
   */
  onStoreRead?: (err: Error | undefined) => void;
}

/** The codes POST /webhooks/alertmanager refuses with (http/webhook.ts), shown at 0 before the first. */
export const WEBHOOK_REFUSAL_CODES = ['400', '401', '413', '415', '503'] as const;

/**
 * The `method` label values of alertgate_http_unmatched_requests_total: these, and `other` for any
 * other method Node accepts (`unmatchedMethodLabel`), so the series stay few.
 */
export const UNMATCHED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function unmatchedMethodLabel(method: string): string {
  return (UNMATCHED_METHODS as readonly string[]).includes(method) ? method : 'other';
}

/** Longest a scrape waits for the store; a store that hangs must not hang /metrics. */
export const STORE_READ_TIMEOUT_MS = 2_000;

interface StoreGauges {
  up: Gauge;
  depth: Gauge;
  oldestAge: Gauge;
  held: Gauge<'team'>;
}

/**
 * The store reads of one scrape, shared by the gauges that show them (the registry collects
 * every metric at once, so alertgate_store_up must wait for the same reads). A read that fails
 * or hangs keeps the gauges' last values and sets alertgate_store_up to 0: a rejected collect()
 * would turn the whole /metrics into a 500 and hide every other metric, the webhook 503
 * counter included, exactly during an outage.
 */
function storeReads(opts: MetricSources, gauges: () => StoreGauges): () => Promise<void> {
  const now = opts.now ?? (() => new Date());
  let failing = false;
  let inFlight: Promise<void> | undefined;
  const readAll = async () => {
    const g = gauges();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${STORE_READ_TIMEOUT_MS} ms`)), STORE_READ_TIMEOUT_MS);
    });
    try {
      const [depth, oldest, held] = await Promise.race([
        Promise.all([opts.outboxDepth?.(), opts.oldestWaitingCreatedAt?.(), opts.heldGroups?.()]),
        timeout,
      ]);
      if (depth !== undefined) g.depth.set(depth);
      // Measured here, with this replica's clock, against the creation time the writing replica
      // stamped: never below 0 when their clocks differ a little.
      if (oldest !== undefined) g.oldestAge.set(oldest === null ? 0 : Math.max(0, (now().getTime() - oldest.getTime()) / 1000));
      if (held !== undefined) {
        g.held.reset();
        for (const [team, n] of Object.entries(held)) g.held.set({ team }, n);
      }
      g.up.set(1);
      if (failing) opts.onStoreRead?.(undefined);
      failing = false;
    } catch (err) {
      g.up.set(0);
      if (!failing) opts.onStoreRead?.(err instanceof Error ? err : new Error(String(err)));
      failing = true;
    } finally {
      clearTimeout(timer);
    }
  };
  return () => (inFlight ??= readAll().finally(() => (inFlight = undefined)));
}

export function createMetrics(opts: MetricSources = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'alertgate_' });
  const readsStore = opts.outboxDepth !== undefined || opts.oldestWaitingCreatedAt !== undefined || opts.heldGroups !== undefined;
  const readStore = storeReads(opts, () => ({ up: storeUp, depth: outboxDepth, oldestAge: outboxOldestAge, held: heldGroups }));
  const collect = readsStore ? readStore : async () => undefined;
  const storeUp = new Gauge({
    name: 'alertgate_store_up',
    help: 'Whether the store reads of the last scrape succeeded (1) or failed or timed out (0).',
    registers: readsStore ? [registry] : [],
    collect,
  });
  const heldGroups = new Gauge({
    name: 'alertgate_maintenance_held_groups',
    help: 'Alert groups a maintenance window holds now, by team: delivered when the window ends if still firing.',
    labelNames: ['team'],
    registers: [registry],
    collect,
  });
  const outboxDepth = new Gauge({
    name: 'alertgate_outbox_depth',
    help: 'Notifications waiting for delivery (pending or awaiting retry).',
    registers: [registry],
    collect,
  });
  const outboxOldestAge = new Gauge({
    name: 'alertgate_outbox_oldest_age_seconds',
    help: 'How long the oldest notification still waiting for delivery (pending or awaiting retry) has waited since it was queued; 0 when none waits.',
    registers: [registry],
    collect,
  });
  const webhookRequests = new Counter({
    name: 'alertgate_webhook_requests_total',
    help: 'Alertmanager webhook requests by HTTP status code.',
    labelNames: ['code'],
    registers: [registry],
  });
  // The refusals at 0 from the start: a series first shown at 1 is no increase to Prometheus,
  // and Alertmanager drops a 4xx for good, so the first one must count (metrics/failure-series.ts).
  for (const code of WEBHOOK_REFUSAL_CODES) webhookRequests.inc({ code }, 0);
  const httpUnmatchedRequests = new Counter({
    name: 'alertgate_http_unmatched_requests_total',
    help: 'HTTP requests to a path no route serves, answered 404, by method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, or other); the path is not a label. A POST here is usually an Alertmanager webhook_config with a mistyped url: Alertmanager drops the notification.',
    labelNames: ['method'],
    registers: [registry],
  });
  // At 0 from the start, as the webhook refusals: the first misdirected webhook must show as an increase.
  for (const method of [...UNMATCHED_METHODS, 'other']) httpUnmatchedRequests.inc({ method }, 0);
  const configReloads = new Counter({
    name: 'alertgate_config_reloads_total',
    help: 'Config reloads after start, by trigger (signal: SIGHUP, api: POST /-/reload, file_change: the files changed on disk, CONFIG_RELOAD_INTERVAL) and outcome (success, failure: the previous config is kept). A reload asked for while one runs shares the next one and counts with its own trigger.',
    labelNames: ['trigger', 'outcome'],
    registers: [registry],
  });
  for (const trigger of CONFIG_RELOAD_TRIGGERS) for (const outcome of ['success', 'failure']) configReloads.inc({ trigger, outcome }, 0);
  const leaseCuts = new Counter({
    name: 'alertgate_delivery_lease_cuts_total',
    help: 'Deliveries cut at their lease deadline (OUTBOX_LEASE_MS less a margin), by receiver: a call or pacing wait still running then was stopped and the notification retried (a failed attempt, also when no call had started yet).',
    labelNames: ['receiver'],
    registers: [registry],
  });
  for (const receiver of ['slack', 'pagerduty']) leaseCuts.inc({ receiver }, 0);
  const staleOutcomes = new Counter({
    name: 'alertgate_outbox_stale_outcomes_total',
    help: "Delivery outcomes (sent, failed, dead, handed back) not written because their claim had ended: the lease ran out and the notification was claimed again (or released) before the write reached the store, which then changed nothing. By receiver. Also counted when an earlier try of the same write reported a store error but had been recorded.",
    labelNames: ['receiver'],
    registers: [registry],
  });
  for (const receiver of ['slack', 'pagerduty']) staleOutcomes.inc({ receiver }, 0);
  const slackPostLookups = new Counter({
    name: 'alertgate_slack_post_lookups_total',
    help: "Looks for the Slack message an earlier attempt may have posted (it timed out, or its connection dropped, after the request was sent), made before posting again, by result: found (that message is kept, nothing posted), not_found (posted), failed (the read failed, e.g. missing_scope without channels:history/groups:history/im:history, or not_in_channel: posted, a duplicate is possible), deferred (the read was rate-limited, or too little of the delivery's lease was left for a read and the post: not posted, the attempt fails and the retry looks again), channel_unresolved (the route names the channel by name and no message of alertgate there has told its id: posted, a duplicate is possible).",
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of POST_LOOKUP_RESULTS) slackPostLookups.inc({ result }, 0);
  const dedupStaleCopies = new Counter({
    name: 'alertgate_dedup_stale_copies_total',
    help: "Alert copies older than what alertgate holds (an Alertmanager HA peer's late notification, or a retry), ignored by dedup, by kind: stale_firing (a firing copy of an alert already resolved, soon after its end, same startsAt), stale_firing_dropped (the same, of a resolved alert the group has dropped since, startsAt not later) or late_resolved (a resolved copy of an earlier episode of an alert firing again).",
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of ['stale_firing', 'stale_firing_dropped', 'late_resolved']) dedupStaleCopies.inc({ kind }, 0);
  return {
    registry,
    webhookRequests,
    httpUnmatchedRequests,
    webhookDuration: new Histogram({
      name: 'alertgate_webhook_duration_seconds',
      help: 'Time from reading an Alertmanager webhook request to its answer (for a 202: stored and committed), by HTTP status code.',
      labelNames: ['code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    alertsReceived: new Counter({
      name: 'alertgate_alerts_received_total',
      help: 'Alerts received in accepted webhooks, by attributed team and alert status.',
      labelNames: ['team', 'status'],
      registers: [registry],
    }),
    webhookTruncatedAlerts: new Counter({
      name: 'alertgate_webhook_truncated_alerts_total',
      help: 'Alerts Alertmanager left out of accepted webhooks (their truncatedAlerts: max_alerts set on its webhook_config); alertgate keeps those it saw as they were, and resolves them only when a truncated webhook says resolved.',
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'alertgate_notifications_total',
      help: 'Notifications by team, receiver and outcome (sent, suppressed, failed attempt, dead).',
      labelNames: ['team', 'receiver', 'outcome'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'alertgate_delivery_latency_seconds',
      help: 'Time from accepting a webhook to delivering its notification, by receiver.',
      labelNames: ['receiver'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    stormGroupsDigested: new Counter({
      name: 'alertgate_storm_groups_digested_total',
      help: 'New alert groups gathered into a storm digest instead of their own Slack message, by team.',
      labelNames: ['team'],
      registers: [registry],
    }),
    stormPagesReleased: new Counter({
      name: 'alertgate_storm_pages_released_total',
      help: 'PagerDuty pages held back by storm.holdPagerDuty queued when the storm ended, for gathered groups still firing that had not paged, by team.',
      labelNames: ['team'],
      registers: [registry],
    }),
    maintenanceHeld: new Counter({
      name: 'alertgate_maintenance_held_notifications_total',
      help: 'Notifications held back by a maintenance window (recorded as suppressed until the window ends), by team.',
      labelNames: ['team'],
      registers: [registry],
    }),
    maintenanceReleased: new Counter({
      name: 'alertgate_maintenance_released_notifications_total',
      help: 'Notifications queued for groups still firing when the maintenance window holding them ended or was deleted, by team.',
      labelNames: ['team'],
      registers: [registry],
    }),
    maintenanceHeldGroups: heldGroups,
    uptimeReports: new Counter({
      name: 'alertgate_uptime_reports_total',
      help: 'Runs of scheduled uptime summaries (reports: in routes/), by team and outcome: queued (its Slack post is in the outbox), already_queued (by another replica or run), skipped (a to-date period that starts at the run), attempt_failed (retried with backoff), not_posted (given up; the log names the period).',
      labelNames: ['team', 'outcome'],
      registers: [registry],
    }),
    historyPruned: new Counter({
      name: 'alertgate_history_pruned_total',
      help: 'Rows deleted by history retention (HISTORY_RETENTION), by kind: notification (delivery log) or group (resolved alert groups, with their alerts).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    historyPruneLastPass: new Gauge({
      name: 'alertgate_history_prune_last_pass_timestamp_seconds',
      help: 'Time of the last completed history pruning pass (its cut is this minus HISTORY_RETENTION).',
      registers: [registry],
    }),
    outboxDepth,
    outboxOldestAge,
    configReloadSuccessful: new Gauge({
      name: 'alertgate_config_last_reload_successful',
      help: 'Whether the last configuration (re)load succeeded (1) or failed and the old config is kept (0).',
      registers: [registry],
    }),
    storeCommitSeconds: new Histogram({
      name: 'alertgate_store_commit_seconds',
      help: 'Time of each SQLite group-commit transaction on the writer thread, fsync included.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    storeCommitWrites: new Histogram({
      name: 'alertgate_store_commit_writes',
      help: 'Write calls (webhooks, claims, delivery outcomes) sharing one SQLite group commit.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    configReloadTimestamp: new Gauge({
      name: 'alertgate_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful configuration load.',
      registers: [registry],
    }),
    configReloads,
    rateLimited: new Counter({
      name: 'alertgate_rate_limited_total',
      help: "Slack and PagerDuty answers that rate-limited a delivery (HTTP 429, Slack's ratelimited), by the delivery's team, receiver and what the limit covers: channel (that Slack channel's calls), workspace (chat.update in every channel), routing_key (the team's PagerDuty events). Counted whether or not a hold followed: those calls wait untried (on this replica) only after a Slack Retry-After, or a PagerDuty 429 with attempts left.",
      labelNames: ['team', 'receiver', 'scope'],
      registers: [registry],
    }),
    leaseCuts,
    deliveryThreadRestarts: new Counter({
      name: 'alertgate_delivery_thread_restarts_total',
      help: 'Delivery threads (OUTBOX_THREAD=true) started again after the one before exited unexpectedly (a crash, the end of its heap); the wait before each restart doubles from 1 s to 30 s while threads keep exiting, back to 1 s once one stays up for a minute. Always 0 without OUTBOX_THREAD.',
      registers: [registry],
    }),
    staleOutcomes,
    slackPostLookups,
    dedupStaleCopies,
    dedupRenotifiedAfterDead: new Counter({
      name: 'alertgate_dedup_renotified_after_dead_total',
      help: "Alertmanager resends of an unchanged group notified, not suppressed as duplicates, to a target whose last notification of the group went dead (one per target), by team.",
      labelNames: ['team'],
      registers: [registry],
    }),
    alertsEndedUnseen: new Counter({
      name: 'alertgate_alerts_ended_unseen_total',
      help: "Firing alerts taken as resolved because Alertmanager's notification of their group left them out (silenced or inhibited there, or resolved without send_resolved) instead of showing them resolved.",
      registers: [registry],
    }),
  };
}
