/**
 * @module delivery/slack/post-lookup
 * Slack has no idempotency key: a `chat.postMessage` that timed out, or whose connection dropped
 * after the request was sent, may have posted, and posting again leaves two messages (the first
 * never edited again). So every post carries message metadata naming its notification
 * (calls.ts postMetadata), a failure that may have posted says so in the error the outbox stores
 * (MAY_HAVE_POSTED), and the retry first reads the channel (`conversations.history`) or the
 * thread (`conversations.replies`) for a message with that metadata: found, its `ts` is the
 * post's; not found, or the read failed (no `channels:history` scope, any error), it posts.
 *
 * Derived from the stored `lastError` rather than from memory, so it holds across restarts and
 * replicas, and for a dead notification requeued by hand.
 *
 * A notification that went dead with the note leaves its post unsettled, and the group owes its
 * target (dedup/decide.ts): the re-send is a new notification, whose post's metadata names
 * itself. So it starts with a last error that has the note and names the dead one, with its
 * queue time (`deadPostNote`), and the read matches that one's metadata too (`earlierPosts`);
 * the worker keeps the names on every later error that keeps the note (`carryingEarlierPosts`).
 */
import type { Delivery } from '../notifier.js';
import { POST_METADATA_EVENT, postMetadata, type SlackReadMethod } from './calls.js';
import type { SlackFailure } from './errors.js';
import type { SlackTransport } from './transport.js';
import { earlierPosts, MAY_HAVE_POSTED } from '../../model/post-notes.js';

export const POST_LOOKUP_RESULTS = ['found', 'not_found', 'failed', 'deferred', 'channel_unresolved'] as const;
/**
 * found: the earlier attempt's message, adopted; not_found: none, posted; failed: the read
 * failed (scope, membership, network, too many messages), posted; deferred: Slack rate-limited
 * the read, or too little of the delivery's lease was left for another read and the post after
 * it: not posted, the attempt fails (retryable, after the Retry-After) keeping the note, and the
 * next one looks again; channel_unresolved: the target is a channel name whose id neither this
 * process nor the store has from an earlier message there (conversations.history takes ids
 * only), posted.
 */
export type PostLookupResult = (typeof POST_LOOKUP_RESULTS)[number];

/** Slack's clock and ours may differ a little: the read starts this much before the enqueue. */
const CLOCK_MARGIN_S = 60;
/** Messages per page, and pages at most: a busy channel is not read without end. */
const PAGE_LIMIT = 100;
const MAX_PAGES = 3;
/**
 * A read is made only while its timeout, the post's after it and this much more are left before
 * the delivery's deadline: otherwise the post, cut at the deadline after its request went out,
 * may post with no answer again, and the reads used the lease for nothing. Room for the answer's
 * handling and timers firing late on a busy event loop.
 */
export const READ_ROOM_MARGIN_MS = 1_000;

/** A Slack channel id (C…, G…, D…), as opposed to a name such as "#payments-alerts". */
export function isChannelId(channel: string): boolean {
  return /^[CGD][A-Z0-9]{6,}$/.test(channel);
}

/** Where the earlier post would be: the channel's top level, or a message's thread. */
export type PostPlace = { channel: string; threadTs?: string };

export type LookupOutcome =
  | { result: 'found'; ts: string }
  | { result: 'not_found' }
  | { result: 'failed'; error: string; slackError?: string }
  /** Not settled, and not to be posted now: the next attempt looks again (after `retryAfterMs`, Slack's Retry-After). */
  | { result: 'deferred'; error: string; retryAfterMs?: number; limitedCall?: string };

/** How the reads fit in the delivery: its deadline (Delivery.deadlineAt) and each call's timeout. */
export interface LookupTiming {
  deadlineAt?: number;
  callTimeoutMs: number;
}

interface HistoryPage {
  messages: { ts?: unknown; metadata?: { event_type?: unknown; event_payload?: Record<string, unknown> } }[];
  next?: string;
}

function pageOf(data: Record<string, unknown>): HistoryPage {
  const messages = Array.isArray(data.messages) ? (data.messages as HistoryPage['messages']) : [];
  const meta = data.response_metadata as { next_cursor?: unknown } | undefined;
  const next = data.has_more === true && typeof meta?.next_cursor === 'string' && meta.next_cursor !== '' ? meta.next_cursor : undefined;
  return { messages, ...(next ? { next } : {}) };
}

/**
 * Reads `place` since shortly before `delivery` was queued (or the earliest notification its note
 * names) for a message with its metadata (or theirs).
 * `place.channel` must be a channel id. Stops (deferred) before a read that would leave no room
 * for the post before the delivery's deadline, and at a rate limit: posting then, unsettled,
 * could make the duplicate the read is there to prevent.
 */
export async function findEarlierPost(transport: SlackTransport, delivery: Delivery, place: PostPlace, timing: LookupTiming, signal?: AbortSignal): Promise<LookupOutcome> {
  // Its own post's metadata, and those of the dead notifications its note names (deadPostNote).
  const wanted = [postMetadata(delivery).event_payload, ...earlierPosts(delivery.previousError)];
  const enqueuedMs = delivery.enqueuedAt === undefined ? Number.NaN : Math.min(...wanted.map((w) => Date.parse(w.enqueued_at)));
  // Unknown enqueue time: the whole bounded read, newest first.
  const oldest = Number.isNaN(enqueuedMs) ? undefined : (enqueuedMs / 1000 - CLOCK_MARGIN_S).toFixed(6);
  const method: SlackReadMethod = place.threadTs === undefined ? 'conversations.history' : 'conversations.replies';
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const args = {
      channel: place.channel,
      ...(place.threadTs === undefined ? {} : { ts: place.threadTs }),
      ...(oldest === undefined ? {} : { oldest, inclusive: true }),
      include_all_metadata: true,
      limit: PAGE_LIMIT,
      ...(cursor === undefined ? {} : { cursor }),
    };
    if (timing.deadlineAt !== undefined) {
      const leftMs = timing.deadlineAt - Date.now();
      const neededMs = 2 * timing.callTimeoutMs + READ_ROOM_MARGIN_MS;
      if (leftMs < neededMs) {
        return { result: 'deferred', error: `slack ${method}: not read: ${Math.max(0, Math.round(leftMs))} ms of the delivery's lease left, less than the ${neededMs} ms a read and the post after it may take (2 × DELIVERY_TIMEOUT_MS + ${READ_ROOM_MARGIN_MS} ms)` };
      }
    }
    const answer = await transport.call({ method, args }, signal);
    // Rate-limited (HTTP 429, or Slack's ratelimited): wait its Retry-After and look again, not post.
    if (!answer.ok && answer.limitedCall !== undefined) {
      return { result: 'deferred', error: answer.error, limitedCall: answer.limitedCall, ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }) };
    }
    if (!answer.ok) return failed(answer);
    const { messages, next } = pageOf(answer.data);
    for (const m of messages) {
      const payload = m.metadata?.event_payload;
      if (m.metadata?.event_type !== POST_METADATA_EVENT || typeof m.ts !== 'string' || !payload) continue;
      if (wanted.some((w) => payload.notification_id === w.notification_id && payload.enqueued_at === w.enqueued_at)) return { result: 'found', ts: m.ts };
    }
    if (next === undefined) return { result: 'not_found' };
    cursor = next;
  }
  return { result: 'failed', error: `slack ${method}: more than ${MAX_PAGES * PAGE_LIMIT} messages since the notification was queued; not all were read` };
}

function failed(answer: SlackFailure): LookupOutcome {
  return { result: 'failed', error: answer.error, ...(answer.slackError === undefined ? {} : { slackError: answer.slackError }) };
}
