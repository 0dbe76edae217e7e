/**
 * @module delivery/notifier
 * One shape for every integration (after Alertmanager's notify/*): a Notifier renders the
 * payload for a delivery, sends it, and answers whether a failure is worth retrying.
 * The retry *policy* (backoff, budget, dead) lives in one place, outbox/, not in notifiers.
 */
import type { GroupSnapshot } from '../model/group.js';
import type { Target } from '../model/target.js';

/** Reference to a posted Slack message, kept so later changes edit it. */
export interface SlackRef {
  channel: string;
  ts: string;
}

/** One outbox item as a notifier sees it. */
export interface Delivery {
  /** Outbox id, for logs. */
  id: number;
  target: Target;
  group: GroupSnapshot;
  /** The group's existing Slack message in this channel, if one was posted. */
  slackRef?: SlackRef;
  /** This is the item's last attempt of its retry budget: a failure now makes it dead. */
  lastAttempt?: boolean;
  /** When the item was queued (ISO 8601): every attempt of it came after. */
  enqueuedAt?: string;
  /**
   * The error its previous attempt left (the store's `lastError`), if any: it says whether that
   * attempt may have reached the receiver without an answer (a Slack post that may have posted).
   */
  previousError?: string;
  /**
   * The id Slack gave the target's channel (routed by name), as the store recorded it from any
   * group's message there: set only when the previous attempt may have posted, for the read that
   * looks for that post (Slack's reads take ids only).
   */
  slackChannelId?: string;
  /**
   * Date.now() by which the delivery must have stopped calling: its lease's deadline
   * (outbox/delivery-deadline), where `signal` cuts it. A notifier that would make calls beyond
   * the ordinary ones (a Slack post lookup's reads) makes them only while room is left for the
   * ones that must follow.
   */
  deadlineAt?: number;
}

export type NotifyResult =
  | { ok: true; slackRef?: SlackRef }
  | {
      ok: false;
      /** false: retrying cannot help (bad channel, invalid token, 4xx): the item goes dead at once. */
      retryable: boolean;
      /** Server-requested delay (Retry-After), in ms. */
      retryAfterMs?: number;
      /**
       * The call the receiver rate-limited, when it said so (a Slack method; PagerDuty's enqueue):
       * the outbox holds what the limit covers (Slack's are per method, some per channel and some
       * per workspace; PagerDuty's per routing key).
       */
      limitedCall?: string;
      /** Human-readable reason, free of secrets. */
      error: string;
    };

/**
 * Awaited by a notifier before each call after its first one of a delivery (a Slack edit's
 * thread reply): the outbox paces every call, and paced the first before `notify`.
 */
export type BeforeNextCall = () => Promise<void>;

export interface Notifier {
  readonly type: Target['type'];
  notify(delivery: Delivery, signal?: AbortSignal, beforeNextCall?: BeforeNextCall): Promise<NotifyResult>;
}
