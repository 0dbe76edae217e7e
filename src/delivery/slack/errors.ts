/**
 * @module delivery/slack/errors
 * Maps a Slack Web API answer onto our retry policy (delivery/retry-classify.ts):
 * - HTTP 429 → retryable, after its Retry-After (seconds)
 * - any other status but 200 → the shared HTTP policy (5xx retryable, 4xx final)
 * - HTTP 200 `{ok:false,error}` → final, except the codes Slack documents as transient; the error
 *   text adds the first of Slack's `response_metadata.messages` (which block was wrong, for
 *   `invalid_blocks`) and, for the common refusals of a channel, a token or a scope, what to do
 *   (SLACK_ERROR_HINTS), so a dead notification's last error says what to fix
 * - HTTP 200 that is not a JSON object → retryable (a proxy or an outage page)
 * Error texts never contain the token.
 */
import type { PostAnswer } from '../http-post.js';
import { bodyExcerpt } from '../body-excerpt.js';
import { redactSecrets } from '../redact.js';
import { classifyHttpStatus, parseRetryAfter, type NotifyFailure } from '../retry-classify.js';

/** Platform error codes Slack documents as transient. */
export const RETRYABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  // "The workspace … is currently undergoing migration to an Enterprise Organization … operations
  // will be intermittently unavailable until the transition is complete": it passes.
  'team_added_to_org',
]);

/** Slack's platform codes for a rate limit (as an HTTP 429 is): they say which method was limited. */
const RATE_LIMITED_SLACK_ERRORS: ReadonlySet<string> = new Set(['ratelimited', 'rate_limited']);

/**
 * What to do about the final refusals a platform engineer meets in the first days (a channel the
 * app cannot reach, a token Slack no longer takes, a scope the app lacks): Slack's code alone
 * (`not_in_channel`) leaves them to look it up while the notification sits dead.
 */
export const SLACK_ERROR_HINTS: ReadonlyMap<string, string> = new Map([
  ['channel_not_found', "no channel by this name or id that the Slack app can see: check the team's slack channel in routes/; a private channel must have the app invited to it; a retry posts to this same channel (a channel fixed in routes/ takes the group's next messages, not this one)"],
  ['not_in_channel', 'the Slack app is not a member of the channel: invite it (/invite @app in the channel), or grant it the chat:write.public scope for public channels; a retry posts to this same channel'],
  ['is_archived', "the channel is archived: unarchive it before a retry, as a retry posts to this same channel; set the team's slack channel in routes/ to one in use for the group's next messages"],
  ['invalid_auth', 'Slack does not take the bot token: check that SLACK_TOKEN (or the file SLACK_TOKEN_FILE names) holds the current xoxb- token of this workspace\'s app'],
  ['not_authed', 'no token reached Slack: set SLACK_TOKEN or SLACK_TOKEN_FILE'],
  ['token_revoked', 'the bot token was revoked (the app uninstalled or the token rotated): install the app again and put its new token in SLACK_TOKEN or SLACK_TOKEN_FILE'],
  ['token_expired', 'the bot token expired (token rotation is on for the app): put a current token in SLACK_TOKEN or SLACK_TOKEN_FILE'],
  ['account_inactive', "the token's user or workspace was deactivated: install the app again and put its new token in SLACK_TOKEN or SLACK_TOKEN_FILE"],
  ['missing_scope', "the Slack app lacks a scope it needs: add it under the app's OAuth & Permissions and reinstall the app"],
  ['not_allowed_token_type', 'Slack takes only a bot token (xoxb-…) here: set one in SLACK_TOKEN or SLACK_TOKEN_FILE'],
  ['restricted_action', "the workspace's settings do not let the app post in this channel: ask a Slack admin, or route the team to another channel"],
]);

export type SlackFailure = NotifyFailure & {
  /** Slack's platform error code (`channel_not_found`, `message_not_found`, …) when there is one. */
  slackError?: string;
  /**
   * Slack may have acted on the call though it failed: no answer came after the whole request
   * was sent (a timeout, a reset after the write), or the answer does not say (MAY_HAVE_ACTED):
   * a post may have been made. False or absent: Slack did not act on the call.
   */
  requestSent?: boolean;
};

export type SlackAnswer = { ok: true; data: Record<string, unknown> } | SlackFailure;

/**
 * Answers that do not say whether Slack carried out the call: an HTTP 5xx (a proxy or load
 * balancer in front of Slack answers 502/504 for a call it may have passed on), and the errors
 * Slack documents as "it's possible some aspect of the operation succeeded" (chat.postMessage).
 */
const MAY_HAVE_ACTED_ERRORS: ReadonlySet<string> = new Set(['internal_error', 'fatal_error', 'request_timeout']);

/** Longest excerpt of an unexpected HTTP body kept in an error message. */
const BODY_EXCERPT = 200;
/** How many of Slack's `response_metadata.messages` an error keeps, and how much of each. */
const DETAIL_MESSAGES = 2;
const DETAIL_CHARS = 200;

/**
 * Slack's explanation of a refusal, e.g. `[ERROR] must be less than 3001 characters
 * [json-pointer:/blocks/3/text]`: its first messages, errors before warnings, each on one line,
 * redacted and capped; '' when there is none.
 */
function slackDetail(data: Record<string, unknown>, clean: (s: string) => string): string {
  const meta = data.response_metadata;
  const raw = typeof meta === 'object' && meta !== null ? (meta as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(raw)) return '';
  const messages = raw.filter((m): m is string => typeof m === 'string' && m.trim() !== '');
  const errorsFirst = [...messages.filter((m) => m.startsWith('[ERROR]')), ...messages.filter((m) => !m.startsWith('[ERROR]'))];
  // Redact before cutting: a token straddling the cut would survive as a prefix.
  const kept = errorsFirst.slice(0, DETAIL_MESSAGES).map((m) => clean(m.trim().replace(/\s+/g, ' ')).slice(0, DETAIL_CHARS));
  return kept.length > 0 ? ` (${kept.join('; ')})` : '';
}

/** The hint for `code`, with the scopes Slack names for `missing_scope` (its `needed`, `provided`). */
function slackHint(code: string, data: Record<string, unknown>, clean: (s: string) => string): string {
  const hint = SLACK_ERROR_HINTS.get(code);
  if (hint === undefined) return '';
  // Redact before cutting, as slackDetail does.
  const scope = (field: string) => (typeof data[field] === 'string' ? clean(String(data[field])).slice(0, DETAIL_CHARS) : undefined);
  const needed = code === 'missing_scope' ? scope('needed') : undefined;
  const provided = code === 'missing_scope' ? scope('provided') : undefined;
  const scopes = needed === undefined ? '' : ` (needed: ${needed}${provided === undefined ? '' : `; the token has: ${provided}`})`;
  return ` — ${hint}${scopes}`;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function classifySlackAnswer(answer: PostAnswer, ctx: { method: string; token: string }): SlackAnswer {
  const what = `slack ${ctx.method}`;
  const clean = (s: string): string => redactSecrets(s, [ctx.token]);
  // Redact before cutting: a token straddling the cut would survive as a prefix.
  const excerpt = () => bodyExcerpt(clean(answer.body), BODY_EXCERPT);

  if (answer.status === 429) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter);
    const after = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs / 1000}s`;
    return { ok: false, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), limitedCall: ctx.method, error: `${what}: rate limited (HTTP 429)${after}` };
  }
  if (answer.status !== 200) {
    const body = excerpt();
    const result = classifyHttpStatus(what, answer.status, { retryAfter: answer.retryAfter, ...(body ? { detail: body } : {}) });
    const failure: SlackFailure = result.ok ? { ok: false, retryable: true, error: `${what}: unexpected HTTP ${answer.status}` } : result;
    return answer.status >= 500 ? { ...failure, requestSent: true } : failure;
  }
  const data = jsonObject(answer.body);
  // A 200 that is not Slack's JSON (an HTML page from a proxy) does not say either.
  if (!data) return { ok: false, retryable: true, error: `${what}: answer is not a JSON object: ${excerpt()}`, requestSent: true };
  if (data.ok === true) return { ok: true, data };
  const code = typeof data.error === 'string' ? data.error : 'unknown_error';
  const failure: SlackFailure = { ok: false, retryable: RETRYABLE_SLACK_ERRORS.has(code), error: `${clean(`${what}: ${code}`)}${slackDetail(data, clean)}${slackHint(code, data, clean)}`, slackError: code };
  const retryAfterMs = parseRetryAfter(answer.retryAfter);
  if (failure.retryable && retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  if (RATE_LIMITED_SLACK_ERRORS.has(code)) failure.limitedCall = ctx.method;
  if (MAY_HAVE_ACTED_ERRORS.has(code)) failure.requestSent = true;
  return failure;
}
