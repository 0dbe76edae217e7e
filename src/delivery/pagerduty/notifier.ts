/**
 * @module delivery/pagerduty/notifier
 * PagerDuty receiver: one Events API v2 event per delivery, `trigger` while the group fires and
 * `resolve` when all is resolved, under the group's stable `dedup_key`. The routing key is
 * resolved per send (a team without one fails alone, naming its variable, and is retried while
 * the variable or file may yet appear) and never logged; an episode's events go with the key source
 * it was triggered with (model/target.ts); when that gives no key they are retried, and only the
 * last attempt of the budget goes with the team's current key.
 */
import type { DeliveryLogger } from '../log-sink.js';
import type { Notifier, NotifyResult } from '../notifier.js';
import { redactSecrets } from '../redact.js';
import { createPagerDutyClient } from './client.js';
import { buildPagerDutyEvent } from './event.js';
import type { RoutingKeyResolver } from './routing-key.js';

/** What a refused routing key must be. */
const ROUTING_KEY_HINT = 'it must be the Integration Key of an Events API v2 integration on the service (for an account hosted in the EU, PAGERDUTY_EVENTS_URL=https://events.eu.pagerduty.com)';

export interface PagerDutyNotifierOptions {
  /** Events API base (env PAGERDUTY_EVENTS_URL); default https://events.pagerduty.com. */
  eventsUrl?: string;
  resolveRoutingKey: RoutingKeyResolver;
  timeoutMs?: number;
  /** Extra trusted CA for https (tests); production uses NODE_EXTRA_CA_CERTS. */
  ca?: string | Buffer;
  logger?: DeliveryLogger;
  /**
   * Each routing key sent with, once, before any line about its send: it joins the logger's scrub
   * list (an episode's old key is named by no live config, so it is on no other list).
   */
  onSecret?: (secret: string) => void;
}

/**
 * @example
 * const pd = createPagerDutyNotifier({ eventsUrl: process.env.PAGERDUTY_EVENTS_URL,
 *   resolveRoutingKey: createRoutingKeyResolver((t) => config.teams.get(t)?.pagerduty) });
 * await pd.notify({ id: 1, target: { type: 'pagerduty', team: 'payments' }, group });
 */
export function createPagerDutyNotifier(opts: PagerDutyNotifierOptions): Notifier {
  const client = createPagerDutyClient({
    ...(opts.eventsUrl !== undefined ? { eventsUrl: opts.eventsUrl } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
  });

  const reported = new Set<string>();
  return {
    type: 'pagerduty',
    async notify(delivery, signal): Promise<NotifyResult> {
      const { target, group } = delivery;
      if (target.type !== 'pagerduty') {
        return { ok: false, retryable: false, error: `pagerduty notifier cannot deliver to a ${target.type} target` };
      }
      const key = opts.resolveRoutingKey(target.team, group.status === 'resolved' ? 'resolve' : 'trigger', target.keySource);
      if (key.episodeSourceFailed && !delivery.lastAttempt) {
        // The old source is named but gives no key right now: most often briefly (a secret volume
        // still syncing after a restart). Sent with the team's new key, PagerDuty would accept the
        // event on the new service and the incident on the old one would stay open for good; so
        // it is retried with the outbox's backoff, and only its last attempt falls back (below).
        return { ok: false, retryable: true, error: `${key.episodeSourceFailed}; retried before the team's current key is used, on the last attempt` };
      }
      if (key.episodeSourceFailed) {
        opts.logger?.warn(
          { deliveryId: delivery.id, team: target.team, group: group.groupId, keySource: target.keySource, error: key.episodeSourceFailed },
          "pagerduty: the key source this group's incident was triggered with gives no key; using the team's current one (an incident open on the old service stays open)",
        );
      }
      if (!key.ok) {
        opts.logger?.warn({ deliveryId: delivery.id, team: target.team, error: key.error }, 'pagerduty routing key unavailable');
        // Retried with the outbox's backoff when the key may yet come (a secret synced late): a
        // page dead at once was not sent again until the dedup window ended.
        return { ok: false, retryable: key.retryable, error: key.error };
      }
      if (!reported.has(key.key)) {
        reported.add(key.key);
        opts.onSecret?.(key.key);
      }
      const event = buildPagerDutyEvent(group, key.key);
      const result = await client.send(event, signal);
      if (!result.ok && !result.retryable && /routing.?key/i.test(result.error)) {
        // PagerDuty's "Invalid routing key" names no key (rightly): say whose key, and where it
        // was read, so the fix (the right key in that variable or file) is one step.
        result.error += ` — PagerDuty refused the routing key of team "${target.team}", read from ${key.source}: ${ROUTING_KEY_HINT}`;
      }
      const fields = { deliveryId: delivery.id, team: target.team, action: event.event_action, dedupKey: event.dedup_key };
      if (result.ok) {
        opts.logger?.debug(fields, 'pagerduty event accepted');
      } else {
        // Belt and braces: the client already redacts, this guards future edits.
        result.error = redactSecrets(result.error, [key.key]);
        opts.logger?.warn({ ...fields, retryable: result.retryable, error: result.error }, 'pagerduty event failed');
      }
      return result;
    },
  };
}
