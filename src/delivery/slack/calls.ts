/**
 * @module delivery/slack/calls
 * Which Slack Web API calls a delivery makes, as data: a first notification posts the group's
 * message; every later one edits that message (same `ts`) and replies in its thread.
 * Shared by the real notifier and the log sink, so the log shows exactly what would be sent.
 */
import type { Delivery, SlackRef } from '../notifier.js';
import { truncateSlack } from './escape.js';
import { renderCompactSlackMessage, renderSlackMessage, renderThreadReply, SLACK_LIMITS, type SlackBlock } from './render.js';

export type SlackMethod = 'chat.postMessage' | 'chat.update';

/** The reads that look for a post an earlier attempt may have made (post-lookup.ts). */
export type SlackReadMethod = 'conversations.history' | 'conversations.replies';

export function isReadMethod(method: SlackMethod | SlackReadMethod): method is SlackReadMethod {
  return method === 'conversations.history' || method === 'conversations.replies';
}

/** Any Web API call the transport makes: a delivery's call, or a lookup's read. */
export interface SlackApiCall {
  method: SlackMethod | SlackReadMethod;
  args: object;
}

/**
 * Slack message metadata alertgate puts on every message it posts (a group's message, a thread
 * reply): which notification posted it, so that a retry after a call that may have posted can
 * find the message instead of posting a second one (post-lookup.ts). Ids and a time only: the
 * metadata is readable by anyone who can read the channel.
 */
export interface SlackMessageMetadata {
  event_type: typeof POST_METADATA_EVENT;
  event_payload: { notification_id: string; enqueued_at: string };
}

export const POST_METADATA_EVENT = 'alertgate_notification';

/**
 * The metadata of `delivery`'s posts: the same at every attempt. The enqueue time is there with
 * the outbox id because two installations (staging and production, each its own database) may
 * post to one channel with the same app, and their ids repeat.
 */
export function postMetadata(delivery: Delivery): SlackMessageMetadata {
  return { event_type: POST_METADATA_EVENT, event_payload: { notification_id: String(delivery.id), enqueued_at: delivery.enqueuedAt ?? '' } };
}

/**
 * The methods whose rate limit is the app's in the whole workspace, not a channel's: a 429 on one
 * holds that method in every channel. `chat.update` is Web API Tier 3 (per app per workspace);
 * `chat.postMessage` has its own limit, about one message a second per channel, so a 429 on it
 * holds only its channel.
 */
export const WORKSPACE_LIMITED_METHODS: ReadonlySet<string> = new Set<SlackMethod>(['chat.update']);

export interface SlackCall {
  method: SlackMethod;
  args: {
    channel: string;
    text: string;
    blocks?: SlackBlock[];
    ts?: string;
    thread_ts?: string;
    unfurl_links?: boolean;
    unfurl_media?: boolean;
    metadata?: SlackMessageMetadata;
  };
}

/** A pseudo-group's pre-rendered message (uptime summary, digest), or the rendered alert group. */
function messageOf(delivery: Delivery): { text: string; blocks?: SlackBlock[] } {
  const m = delivery.group.message;
  if (!m) return renderSlackMessage(delivery.group);
  return { text: m.text, ...(m.blocks ? { blocks: m.blocks as SlackBlock[] } : {}) };
}

/** The new group message, to `channel` (a name such as "#payments-alerts" or an id). */
export function postCall(delivery: Delivery, channel: string): SlackCall {
  const message = messageOf(delivery);
  // Unfurling a runbook or Prometheus link would bury the alert under previews.
  return { method: 'chat.postMessage', args: { channel, ...message, unfurl_links: false, unfurl_media: false, metadata: postMetadata(delivery) } };
}

/** Edits the existing message in place with the group's current state. */
export function updateCall(delivery: Delivery, ref: SlackRef): SlackCall {
  return { method: 'chat.update', args: { channel: ref.channel, ts: ref.ts, ...messageOf(delivery) } };
}

/**
 * `call` (a post or an edit of the group's message) with a compact message instead, for when
 * Slack refused the full one (`refusal`: msg_blocks_too_long, invalid_blocks, msg_too_long): an
 * alert group's header, counts, links and footer; a pre-rendered message's text in one section
 * (blocks, rather than none, so that an edit replaces the refused message's blocks).
 */
export function compactCall(delivery: Delivery, call: SlackCall, refusal: string): SlackCall {
  const { text: _text, blocks: _blocks, ...rest } = call.args;
  const m = delivery.group.message;
  const text = m ? truncateSlack(m.text, SLACK_LIMITS.sectionText) : '';
  const message = m ? { text, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text, verbatim: true as const } }] } : renderCompactSlackMessage(delivery.group, refusal);
  return { method: call.method, args: { ...rest, ...message } };
}

/** The thread reply saying what changed. */
export function threadReplyCall(delivery: Delivery, ref: SlackRef): SlackCall {
  return {
    method: 'chat.postMessage',
    args: {
      channel: ref.channel,
      thread_ts: ref.ts,
      // A pre-rendered message announces itself (e.g. "storm over"); an alert group says what changed.
      ...(delivery.group.message ? { text: delivery.group.message.text } : renderThreadReply(delivery.group)),
      unfurl_links: false,
      unfurl_media: false,
      metadata: postMetadata(delivery),
    },
  };
}

/** All calls of a delivery, in order. */
export function planSlackCalls(delivery: Delivery, channel: string): SlackCall[] {
  const ref = delivery.slackRef;
  if (!ref) return [postCall(delivery, channel)];
  return wantsThreadReply(delivery) ? [updateCall(delivery, ref), threadReplyCall(delivery, ref)] : [updateCall(delivery, ref)];
}

/**
 * How many calls `planSlackCalls` answers, without rendering them: the outbox paces each call,
 * so it reserves this many slots of the channel before the delivery starts.
 */
export function slackCallCount(delivery: Delivery): number {
  return delivery.slackRef && wantsThreadReply(delivery) ? 2 : 1;
}

/** The method of a delivery's first call: an edit of the group's message, or its first post. */
export function firstSlackMethod(delivery: Delivery): SlackMethod {
  return delivery.slackRef ? 'chat.update' : 'chat.postMessage';
}

/** Alert groups explain each change in the thread; pre-rendered messages only if they ask to. */
export function wantsThreadReply(delivery: Delivery): boolean {
  return delivery.group.message ? delivery.group.message.threadReply === true : true;
}
