/**
 * @module outbox/build-worker
 * The outbox worker as the gateway runs it, from its settings: notifiers, the retry policy, the
 * per-channel pacer, lease and concurrency. The same in the gateway process and on the delivery
 * thread.
 */
import type { GatewaySettings } from '../config/env.js';
import { buildNotifiers, type NotifierSettings, type PagesMode } from '../delivery/build-notifiers.js';
import type { RoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { ChannelPacer } from './channel-pacer.js';
import { OutboxWorker, type OutboxMetrics } from './worker.js';

export type OutboxSettings = NotifierSettings &
  Pick<GatewaySettings, 'retry' | 'slackChannelRate' | 'slackChannelBurst' | 'leaseMs' | 'outboxConcurrency' | 'outboxReceiverConcurrency'>;

export interface OutboxParts {
  store: Store;
  resolveRoutingKey: RoutingKeyResolver;
  /** Pages go to PagerDuty (a key resolves, or PAGERDUTY_EVENTS_URL is set), else to the log; asked at each send. */
  pages: PagesMode;
  logger: Logger;
  metrics: OutboxMetrics;
  /** Identity of this worker in leases. */
  owner: string;
  pollMs?: number;
  /** Monotonic clock (ms) of the failed claims' log lines (tests). */
  logNow?: () => number;
  pagerDutyCa?: string | Buffer;
  /** A new Slack token read from SLACK_TOKEN_FILE, or a PagerDuty routing key sent with: it joins the logger's scrub list. */
  onSecret?: (secret: string) => void;
  /** SLACK_TOKEN_FILE held a new token (the delivery thread hands it to its replacement). */
  onSlackToken?: (token: string) => void;
}

export function buildOutboxWorker(settings: OutboxSettings, p: OutboxParts): OutboxWorker {
  return new OutboxWorker({
    store: p.store,
    notifiers: buildNotifiers({
      settings,
      resolveRoutingKey: p.resolveRoutingKey,
      pages: p.pages,
      logger: p.logger,
      ...(p.pagerDutyCa ? { pagerDutyCa: p.pagerDutyCa } : {}),
      ...(p.onSecret ? { onSecret: p.onSecret } : {}),
      ...(p.onSlackToken ? { onSlackToken: p.onSlackToken } : {}),
      onPostLookup: (result) => p.metrics.slackPostLookups.inc({ result }),
    }),
    policy: settings.retry,
    pacer: new ChannelPacer({ ratePerSecond: settings.slackChannelRate, burst: settings.slackChannelBurst }),
    logger: p.logger.child({ component: 'outbox' }),
    metrics: p.metrics,
    owner: p.owner,
    // Several replicas share the outbox: a dead replica's claims wait this long for another.
    leaseMs: settings.leaseMs,
    concurrency: settings.outboxConcurrency,
    receiverConcurrency: settings.outboxReceiverConcurrency,
    ...(p.pollMs ? { pollMs: p.pollMs } : {}),
    ...(p.logNow ? { logNow: p.logNow } : {}),
  });
}
