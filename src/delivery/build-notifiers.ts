/**
 * @module delivery/build-notifiers
 * One Notifier per receiver type from the gateway's settings: the real Slack and PagerDuty
 * clients, or log sinks when there is nothing to send with (no Slack token; for PagerDuty, no
 * routing key resolving anywhere and no PAGERDUTY_EVENTS_URL: the offline quick start). Shared by
 * the in-process outbox worker and the delivery thread, which build the same notifiers.
 *
 * Whether pages go to PagerDuty is asked at every send, not settled at start: routing keys are
 * looked up at send time (a reload, a key file written later), so the first key to resolve ends
 * the dry run for good: from then on a team whose key does not resolve fails naming its variable
 * or file, rather than have a page that was only logged recorded `sent`.
 */
import { fileClientToken } from '../config/client-token.js';
import type { GatewaySettings } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { ReceiverType } from '../model/target.js';
import { createLogSinkNotifier } from './log-sink.js';
import type { Notifier } from './notifier.js';
import { createPagerDutyNotifier } from './pagerduty/notifier.js';
import type { RoutingKeyResolver } from './pagerduty/routing-key.js';
import { createSlackNotifier } from './slack/notifier.js';
import type { PostLookupResult } from './slack/post-lookup.js';

export type NotifierSettings = Pick<GatewaySettings, 'slackToken' | 'slackTokenFile' | 'slackApiUrl' | 'deliveryTimeoutMs' | 'pagerDutyEventsUrl'>;

export interface BuildNotifiersOptions {
  settings: NotifierSettings;
  /** The live config's routing keys (looked up at send time, so a reload applies). */
  resolveRoutingKey: RoutingKeyResolver;
  /** Whether pages go to PagerDuty or, in a dry run, to the log. */
  pages: PagesMode;
  logger: Logger;
  /** Extra CA for PagerDuty over https (tests); production uses NODE_EXTRA_CA_CERTS. */
  pagerDutyCa?: string | Buffer;
  /** A new Slack token read from SLACK_TOKEN_FILE, or a PagerDuty routing key sent with: it joins the logger's scrub list. */
  onSecret?: (secret: string) => void;
  /** SLACK_TOKEN_FILE was read again and holds a new token (after onSecret has it). Not for other secrets. */
  onSlackToken?: (token: string) => void;
  /** Slack looked for a message an earlier attempt may have posted (alertgate_slack_post_lookups_total). */
  onPostLookup?: (result: PostLookupResult) => void;
}

/** Whether pages go out: the owner keeps the state (the gateway, or the delivery thread). */
export interface PagesMode {
  /**
   * Pages go to PagerDuty: PAGERDUTY_EVENTS_URL is set (a proxy, a test double), or a routing key
   * resolved (at start, at a reload or at a send). Once true, true until the process ends.
   */
  live(): boolean;
  /** Teams of the live config with a `pagerduty:` block: a key of any of them ends the dry run. */
  teams(): readonly string[];
  /** A send found a routing key that resolves while pages were logged: they go out from now on. */
  wentLive(): void;
}

/**
 * PagerDuty while pages are live; the log sink while none is (no key resolves for any team, no
 * PAGERDUTY_EVENTS_URL), checked at each send, so a key that appears after start pages for real.
 */
function pagesOrLogSink(real: Notifier, sink: Notifier, resolve: RoutingKeyResolver, pages: PagesMode): Notifier {
  const anyKeyResolves = (first: string | undefined) =>
    (first !== undefined && resolve(first).ok) || pages.teams().some((team) => team !== first && resolve(team).ok);
  return {
    type: 'pagerduty',
    notify(delivery, signal, beforeNextCall) {
      if (!pages.live()) {
        if (!anyKeyResolves(delivery.target.type === 'pagerduty' ? delivery.target.team : undefined)) {
          return sink.notify(delivery, signal, beforeNextCall);
        }
        pages.wentLive();
      }
      return real.notify(delivery, signal, beforeNextCall);
    },
  };
}

export function buildNotifiers(o: BuildNotifiersOptions): Record<ReceiverType, Notifier> {
  const { settings, logger } = o;
  const slackLogger = logger.child({ receiver: 'slack' });
  const slack: Notifier = settings.slackToken
    ? createSlackNotifier({
        token: settings.slackTokenFile
          ? fileClientToken({
              token: settings.slackToken,
              file: settings.slackTokenFile,
              variable: 'SLACK_TOKEN_FILE',
              service: 'Slack',
              logger: slackLogger,
              onChange: (token) => {
                o.onSecret?.(token);
                o.onSlackToken?.(token);
              },
            })
          : settings.slackToken,
        apiUrl: settings.slackApiUrl,
        timeoutMs: settings.deliveryTimeoutMs,
        logger: slackLogger,
        ...(o.onPostLookup ? { onPostLookup: o.onPostLookup } : {}),
      })
    : createLogSinkNotifier('slack', logger.child({ receiver: 'slack', sink: 'log' }));
  const pagerduty = pagesOrLogSink(
    createPagerDutyNotifier({
      eventsUrl: settings.pagerDutyEventsUrl,
      timeoutMs: settings.deliveryTimeoutMs,
      resolveRoutingKey: o.resolveRoutingKey,
      logger: logger.child({ receiver: 'pagerduty' }),
      ...(o.pagerDutyCa ? { ca: o.pagerDutyCa } : {}),
      ...(o.onSecret ? { onSecret: o.onSecret } : {}),
    }),
    createLogSinkNotifier('pagerduty', logger.child({ receiver: 'pagerduty', sink: 'log' })),
    o.resolveRoutingKey,
    o.pages,
  );
  return { slack, pagerduty };
}
