/**
 * @module delivery/slack/notifier
 * Slack receiver: the first notification of a group posts one message to the channel; every
 * later change edits that message (`chat.update`, same ts) and replies in its thread.
 * Retries are the outbox's: each call is made once and its failure classified. One exception: a
 * message Slack refuses for its size or blocks (REFUSED_MESSAGE_ERRORS), which no retry of the
 * same message can cure, is sent once more at once, compact (header, counts, links, footer).
 */
import type { ClientToken } from '../../config/client-token.js';
import type { DeliveryLogger } from '../log-sink.js';
import type { BeforeNextCall, Delivery, Notifier, NotifyResult, SlackRef } from '../notifier.js';
import { compactCall, postCall, threadReplyCall, updateCall, wantsThreadReply, type SlackCall } from './calls.js';
import { findEarlierPost, isChannelId, type PostLookupResult, type PostPlace } from './post-lookup.js';
import { MAY_HAVE_POSTED, mayHavePosted } from '../../model/post-notes.js';
import { createSlackTransport, DEFAULT_SLACK_TIMEOUT_MS, type SlackCallResult } from './transport.js';

/**
 * Slack's refusals of a message's size or blocks. Retrying the same message cannot help, so the
 * call is made once more, at once, with a compact message (calls.ts compactCall).
 */
export const REFUSED_MESSAGE_ERRORS: ReadonlySet<string> = new Set(['msg_blocks_too_long', 'invalid_blocks', 'invalid_blocks_format', 'msg_too_long']);

/**
 * Why an edit's refusal leaves the message as it is for good (the reason logged): the group's
 * state then goes in a new message rather than nowhere.
 */
const UNEDITABLE: ReadonlyMap<string, string> = new Map([
  ['message_not_found', 'the message was deleted'],
  ['cant_update_message', 'another Slack app posted the message (the token now belongs to a different app)'],
  ['edit_window_closed', "the workspace's time limit for editing messages has passed"],
]);

export interface SlackNotifierOptions {
  /** Bot token with `chat:write`, or one that follows SLACK_TOKEN_FILE. Never logged or returned in errors. */
  token: string | ClientToken;
  /** Web API base (env SLACK_API_URL); default https://slack.com/api/. */
  apiUrl?: string;
  logger?: DeliveryLogger;
  /** Per-call timeout; default 10 s. */
  timeoutMs?: number;
  /** Counts each look for an earlier attempt's post (alertgate_slack_post_lookups_total). */
  onPostLookup?: (result: PostLookupResult) => void;
}

/**
 * @example
 * const slack = createSlackNotifier({ token: process.env.SLACK_TOKEN!, apiUrl: process.env.SLACK_API_URL });
 * const r = await slack.notify({ id: 7, target: { type: 'slack', channel: '#payments-alerts' }, group });
 * if (r.ok) store the returned r.slackRef so later changes edit the message
 */
export function createSlackNotifier(opts: SlackNotifierOptions): Notifier {
  const transport = createSlackTransport({
    token: opts.token,
    ...(opts.apiUrl !== undefined ? { apiUrl: opts.apiUrl } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  const log = opts.logger;
  /**
   * Channel ids by the target's channel as routes/ names it, learnt from Slack's answers: the
   * lookup's reads take ids only. Else the worker's `slackChannelId` (the store's record of any
   * group's message there); a channel named by name with neither cannot be read
   * (channel_unresolved); one given by id always can.
   */
  const channelIds = new Map<string, string>();

  const callTimeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;

  /**
   * Before a post (`place`: the channel as the target names it, or a thread): when the previous
   * attempt may have posted, reads for its message. `ts` when found; `unsure` when the read could
   * not settle it, so a failure of the post that follows keeps saying so; `notNow`, the attempt's
   * failure, when the read was rate-limited or the lease has no room left for it and the post:
   * nothing is posted, and the next attempt looks again.
   */
  async function lookFirst(delivery: Delivery, place: PostPlace, signal?: AbortSignal): Promise<{ ts?: string; channel: string; unsure: boolean; notNow?: NotifyResult }> {
    if (!mayHavePosted(delivery.previousError)) return { channel: place.channel, unsure: false };
    const channel = isChannelId(place.channel) ? place.channel : (channelIds.get(place.channel) ?? delivery.slackChannelId);
    const fields = { deliveryId: delivery.id, channel: place.channel, ...(place.threadTs === undefined ? {} : { threadTs: place.threadTs }) };
    if (channel === undefined) {
      opts.onPostLookup?.('channel_unresolved');
      log?.warn({ ...fields, result: 'channel_unresolved' }, 'slack: the previous attempt may have posted, but the route names the channel, not its id, and no message of alertgate there has told its id yet: posting again (route to the channel id to have it looked up)');
      return { channel: place.channel, unsure: true };
    }
    const found = await findEarlierPost(transport, delivery, { ...place, channel }, { callTimeoutMs, ...(delivery.deadlineAt === undefined ? {} : { deadlineAt: delivery.deadlineAt }) }, signal);
    opts.onPostLookup?.(found.result);
    if (found.result === 'found') {
      log?.info({ ...fields, result: found.result, ts: found.ts }, 'slack: the previous attempt had posted: its message is kept, not posted again');
      return { ts: found.ts, channel, unsure: false };
    }
    if (found.result === 'not_found') {
      log?.info({ ...fields, result: found.result }, 'slack: the previous attempt had not posted: posting');
      return { channel, unsure: false };
    }
    if (found.result === 'deferred') {
      log?.warn({ ...fields, result: found.result, error: found.error }, 'slack: could not look for the message the previous attempt may have posted now: not posting; the retry looks again');
      const { result: _result, error, ...retry } = found;
      return { channel, unsure: true, notNow: { ok: false, retryable: true, ...retry, error: `${error}: not posted — ${MAY_HAVE_POSTED}` } };
    }
    log?.warn(
      { ...fields, result: found.result, error: found.error, ...(found.slackError === undefined ? {} : { slackError: found.slackError }) },
      'slack: could not look for the message the previous attempt may have posted: posting again (a duplicate is possible; reading needs the channels:history, groups:history or im:history scope)',
    );
    return { channel, unsure: true };
  }

  async function call(delivery: Delivery, slackCall: SlackCall, signal?: AbortSignal): Promise<SlackCallResult> {
    const result = await transport.call(slackCall, signal);
    const fields = { deliveryId: delivery.id, method: slackCall.method, channel: slackCall.args.channel };
    if (result.ok) log?.debug(fields, 'slack call ok');
    else log?.warn({ ...fields, retryable: result.retryable, error: result.error }, 'slack call failed');
    return result;
  }

  /**
   * Makes `slackCall` (a post or an edit of the group's message); if Slack refuses the message as
   * too large or its blocks as invalid, makes it once more with a compact message instead.
   */
  async function send(delivery: Delivery, slackCall: SlackCall, signal?: AbortSignal, beforeNextCall?: BeforeNextCall): Promise<SlackCallResult> {
    const result = await call(delivery, slackCall, signal);
    if (result.ok || result.slackError === undefined || !REFUSED_MESSAGE_ERRORS.has(result.slackError)) return result;
    log?.warn(
      { deliveryId: delivery.id, method: slackCall.method, channel: slackCall.args.channel, slackError: result.slackError },
      'slack refused the message: sending a compact one instead (header, counts, links)',
    );
    await beforeNextCall?.();
    const compact = await call(delivery, compactCall(delivery, slackCall, result.slackError), signal);
    return compact.ok ? compact : { ...compact, error: `${compact.error} (compact message, sent after ${result.error})` };
  }

  async function post(delivery: Delivery, channel: string, signal?: AbortSignal, beforeNextCall?: BeforeNextCall): Promise<NotifyResult> {
    const earlier = await lookFirst(delivery, { channel }, signal);
    if (earlier.notNow) return earlier.notNow;
    if (earlier.ts !== undefined) return { ok: true, slackRef: { channel: earlier.channel, ts: earlier.ts } };
    const result = await send(delivery, postCall(delivery, channel), signal, beforeNextCall);
    if (!result.ok) return stripSlackError(result, earlier.unsure || result.requestSent === true);
    // Slack answers with the channel *id* (the target may be a name); chat.update needs the id.
    const { channel: channelId, ts } = result.data;
    if (typeof channelId !== 'string' || typeof ts !== 'string') {
      // Slack said ok: the message was posted, but which it is is unknown. The retry looks for it.
      return stripSlackError({ ok: false, retryable: true, error: 'slack chat.postMessage: response lacks channel or ts' }, true);
    }
    channelIds.set(channel, channelId);
    return { ok: true, slackRef: { channel: channelId, ts } };
  }

  async function edit(delivery: Delivery, ref: SlackRef, signal?: AbortSignal, beforeNextCall?: BeforeNextCall): Promise<NotifyResult> {
    const updated = await send(delivery, updateCall(delivery, ref), signal, beforeNextCall);
    if (!updated.ok) {
      // The message can no longer be edited: start a fresh one rather than failing forever.
      const why = updated.slackError === undefined ? undefined : UNEDITABLE.get(updated.slackError);
      // Not yet looked for the reply the previous attempt may have posted: the next one will.
      if (why === undefined) return stripSlackError(updated, mayHavePosted(delivery.previousError));
      log?.warn({ deliveryId: delivery.id, channel: ref.channel, ts: ref.ts, slackError: updated.slackError, reason: why }, `slack message cannot be edited (${updated.slackError}): posting a new one`);
      await beforeNextCall?.();
      return post(delivery, ref.channel, signal, beforeNextCall);
    }
    if (delivery.target.type === 'slack') channelIds.set(delivery.target.channel, ref.channel);
    if (!wantsThreadReply(delivery)) return { ok: true, slackRef: ref };
    await beforeNextCall?.();
    // A retry repeats the (idempotent) edit, then the reply unless the previous attempt's reply
    // may have posted and is found in the thread.
    const earlier = await lookFirst(delivery, { channel: ref.channel, threadTs: ref.ts }, signal);
    if (earlier.notNow) return earlier.notNow;
    if (earlier.ts !== undefined) return { ok: true, slackRef: ref };
    const reply = await call(delivery, threadReplyCall(delivery, ref), signal);
    if (!reply.ok) return stripSlackError(reply, earlier.unsure || reply.requestSent === true);
    return { ok: true, slackRef: ref };
  }

  return {
    type: 'slack',
    async notify(delivery, signal, beforeNextCall) {
      if (delivery.target.type !== 'slack') {
        return { ok: false, retryable: false, error: `slack notifier cannot deliver to a ${delivery.target.type} target` };
      }
      return delivery.slackRef
        ? edit(delivery, delivery.slackRef, signal, beforeNextCall)
        : post(delivery, delivery.target.channel, signal, beforeNextCall);
    },
  };
}

/**
 * NotifyResult carries only the contract's fields. A failure of a post that may have posted (a
 * timeout or a reset after the request went out), or of an attempt after one that may have
 * posted when no read settled it, says so in its error (`postedMaybe`), which the outbox
 * stores: the next attempt reads that (post-lookup.ts) and looks before posting. Not for edits:
 * a repeated chat.update is harmless.
 */
function stripSlackError(failure: Extract<SlackCallResult, { ok: false }>, postedMaybe = false): NotifyResult {
  const { slackError: _code, requestSent: _sent, ...rest } = failure;
  return postedMaybe ? { ...rest, error: `${rest.error} — ${MAY_HAVE_POSTED}` } : rest;
}
