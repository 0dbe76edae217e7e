/**
 * @module outbox/delivery-messages
 * What the gateway and its delivery thread say to each other (all plain data: it crosses threads
 * by structured clone). The thread's log lines and metric updates travel back to the gateway, so
 * they reach the same logger (redaction included) and the one Prometheus registry.
 */
import type { MessagePort } from 'node:worker_threads';
import type { NotifierSettings } from '../delivery/build-notifiers.js';
import type { PagerDutyConfig } from '../config/types.js';
import type { LogLevel } from '../log/logger.js';
import type { NotificationOutcome, RateLimitScope } from '../metrics/metrics.js';
import type { ReceiverType } from '../model/target.js';
import type { PostLookupResult } from '../delivery/slack/post-lookup.js';
import type { RetryPolicy } from './retry-policy.js';

/** Routing-key sources of the live config and the environment they are read from. */
export interface RoutingKeys {
  pagerduty: [team: string, source: PagerDutyConfig][];
  /** Sources of teams whose `pagerduty:` a reload removed: for their resolves only (config-holder.ts). */
  retired: [team: string, source: PagerDutyConfig][];
  env: Record<string, string | undefined>;
  /**
   * Pages go to PagerDuty (PAGERDUTY_EVENTS_URL is set, or a routing key resolved since start);
   * else they are logged until a key resolves at a send. Once true, true for good (a replacement
   * thread starts with it).
   */
  pagesLive: boolean;
}

export interface DeliveryThreadData {
  filename: string;
  writerPort: MessagePort;
  settings: NotifierSettings & {
    retry: RetryPolicy;
    slackChannelRate: number;
    slackChannelBurst: number;
    leaseMs: number;
    outboxConcurrency: number;
    outboxReceiverConcurrency: number;
  };
  routingKeys: RoutingKeys;
  logLevel: LogLevel;
  owner: string;
  pollMs?: number;
  pagerDutyCa?: string | Buffer;
}

export type ToDeliveryThread = { t: 'wake' } | { t: 'routingKeys'; routingKeys: RoutingKeys } | { t: 'stop'; deadlineMs: number };

export type DeliveryEvent =
  | { t: 'log'; level: LogLevel; bound: object; fields: object; msg?: string }
  | { t: 'notification'; labels: { team: string; receiver: ReceiverType; outcome: NotificationOutcome } }
  | { t: 'latency'; labels: { receiver: ReceiverType }; seconds: number }
  | { t: 'rate-limited'; labels: { team: string; receiver: ReceiverType; scope: RateLimitScope } }
  | { t: 'lease-cut'; labels: { receiver: ReceiverType } }
  | { t: 'stale-outcome'; labels: { receiver: ReceiverType } }
  | { t: 'post-lookup'; labels: { result: PostLookupResult } }
  /** A send found a routing key that resolves: pages go to PagerDuty from now on. */
  | { t: 'pagesLive' }
  /**
   * A secret the thread sends with (a Slack token read again, a PagerDuty routing key): the
   * gateway's logger scrubs it from now on. Nothing else: it may be any service's.
   */
  | { t: 'secret'; secret: string }
  /** SLACK_TOKEN_FILE held a new token (sent after its `secret`): a thread replacing this one starts with it. */
  | { t: 'slackToken'; token: string };

/** Events are batched per event-loop turn of the thread. */
/** `ready`: the thread has loaded and opened its connection (its time up is counted from here). */
export type FromDeliveryThread = { t: 'events'; events: DeliveryEvent[] } | { t: 'ready' } | { t: 'stopped' };
