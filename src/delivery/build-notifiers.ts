/**
 * @module delivery/build-notifiers
 * One Notifier per receiver type from the gateway's settings: the real Slack and PagerDuty
 * clients, or log sinks when there is nothing to send with (no token, no routing key). Shared by
 * the in-process outbox worker and the delivery thread, which build the same notifiers.
 */
import type { GatewaySettings } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { ReceiverType } from '../model/target.js';
import { createLogSinkNotifier } from './log-sink.js';
import type { Notifier } from './notifier.js';
import { createPagerDutyNotifier } from './pagerduty/notifier.js';
import type { RoutingKeyResolver } from './pagerduty/routing-key.js';
import { createSlackNotifier } from './slack/notifier.js';

export type NotifierSettings = Pick<GatewaySettings, 'slackToken' | 'slackApiUrl' | 'deliveryTimeoutMs' | 'pagerDutyEventsUrl'>;

export interface BuildNotifiersOptions {
  settings: NotifierSettings;
  /** The live config's routing keys (looked up at send time, so a reload applies). */
  resolveRoutingKey: RoutingKeyResolver;
  /** Some team's routing key resolves now (else, with the public endpoint, events go to the log). */
  anyRoutingKey: boolean;
  /** PAGERDUTY_EVENTS_URL was set explicitly (a proxy or a test double): always send. */
  customEventsUrl: boolean;
  logger: Logger;
  /** Extra CA for PagerDuty over https (tests); production uses NODE_EXTRA_CA_CERTS. */
  pagerDutyCa?: string | Buffer;
}

export function buildNotifiers(o: BuildNotifiersOptions): Record<ReceiverType, Notifier> {
  const { settings, logger } = o;
  const slack: Notifier = settings.slackToken
    ? createSlackNotifier({
        token: settings.slackToken,
        apiUrl: settings.slackApiUrl,
        timeoutMs: settings.deliveryTimeoutMs,
        logger: logger.child({ receiver: 'slack' }),
      })
    : createLogSinkNotifier('slack', logger.child({ receiver: 'slack', sink: 'log' }));
  // Offline (no routing key at all and the public endpoint): show the events in the log instead.
  const sendPages = o.anyRoutingKey || o.customEventsUrl;
  const pagerduty: Notifier = sendPages
    ? createPagerDutyNotifier({
        eventsUrl: settings.pagerDutyEventsUrl,
        timeoutMs: settings.deliveryTimeoutMs,
        resolveRoutingKey: o.resolveRoutingKey,
        logger: logger.child({ receiver: 'pagerduty' }),
        ...(o.pagerDutyCa ? { ca: o.pagerDutyCa } : {}),
      })
    : createLogSinkNotifier('pagerduty', logger.child({ receiver: 'pagerduty', sink: 'log' }));
  return { slack, pagerduty };
}
