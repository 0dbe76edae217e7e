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
  /**
   * Send pages: some team's routing key resolves now, or PAGERDUTY_EVENTS_URL was set (a proxy,
   * a test double). Else (offline) the events are written to the log instead.
   */
  sendPages: boolean;
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
  const pagerduty: Notifier = o.sendPages
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
