/**
 * @module delivery/log-sink
 * Offline stand-in for a receiver (used when no Slack token is configured): instead of calling
 * the API it logs the exact request it would have sent (method, URL path, JSON body) as one
 * structured line, so the whole pipeline is visible without credentials. For Slack it answers
 * with a synthetic message ref (`ts: "log-<deliveryId>"`) so later edits and thread replies
 * are logged against it just as they would be sent.
 */
import type { Notifier, NotifyResult } from './notifier.js';
import { buildPagerDutyEvent } from './pagerduty/event.js';
import { DEFAULT_PAGERDUTY_EVENTS_URL, enqueueUrlOf } from './pagerduty/client.js';
import { REDACTED } from './redact.js';
import { planSlackCalls } from './slack/calls.js';
import { DEFAULT_SLACK_API_URL } from './slack/transport.js';

/**
 * The logger notifiers write to (pino-compatible subset). Owned by the lead's logging module
 * eventually; defined here until then.
 */
export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** The request a log sink records instead of sending. */
export interface LoggedRequest {
  method: 'POST';
  url: string;
  path: string;
  body: unknown;
}

export interface LogSinkOptions {
  /** Base the logged Slack URLs are shown against; default https://slack.com/api/. */
  slackApiUrl?: string;
  /** Base the logged PagerDuty URL is shown against; default https://events.pagerduty.com. */
  eventsUrl?: string;
}

export const LOG_SINK_MESSAGE = 'log sink: request not sent';

function request(url: string, body: unknown): LoggedRequest {
  return { method: 'POST', url, path: new URL(url).pathname, body };
}

/**
 * @example
 * const slack = process.env.SLACK_TOKEN ? createSlackNotifier({ token }) : createLogSinkNotifier('slack', logger);
 */
export function createLogSinkNotifier(type: 'slack' | 'pagerduty', logger: DeliveryLogger, opts: LogSinkOptions = {}): Notifier {
  const slackBase = (opts.slackApiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/?$/, '/');
  const pagerDutyUrl = enqueueUrlOf(opts.eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL);

  return {
    type,
    async notify(delivery): Promise<NotifyResult> {
      const { target } = delivery;
      if (target.type !== type) {
        return { ok: false, retryable: false, error: `${type} log sink cannot deliver to a ${target.type} target` };
      }
      const fields = { sink: 'log', receiver: type, deliveryId: delivery.id, groupId: delivery.group.groupId, team: delivery.group.team };
      if (target.type === 'slack') {
        for (const call of planSlackCalls(delivery, target.channel)) {
          logger.info({ ...fields, request: request(`${slackBase}${call.method}`, call.args) }, LOG_SINK_MESSAGE);
        }
        return { ok: true, slackRef: delivery.slackRef ?? { channel: target.channel, ts: `log-${delivery.id}` } };
      }
      // The routing key is a secret and, without PagerDuty configured, unknown: show a placeholder.
      const event = buildPagerDutyEvent(delivery.group, REDACTED);
      logger.info({ ...fields, request: request(pagerDutyUrl, event) }, LOG_SINK_MESSAGE);
      return { ok: true };
    },
  };
}
