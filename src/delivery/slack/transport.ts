/**
 * @module delivery/slack/transport
 * One Slack Web API call (`POST <apiUrl><method>`, a JSON body, `Authorization: Bearer <token>`),
 * answered as a result rather than a throw. One attempt:
 * the outbox owns retries, durably and with its own budget, and honours Retry-After.
 *
 * Why not @slack/web-api's WebClient: with its retries and queue switched off, it only added
 * cost. Measured against the benchmark's Slack stand-in, a call through WebClient (p-queue,
 * p-retry, a fetch Response, a copy of the arguments to redact a debug line) took 0.48 ms of
 * event-loop CPU, this client 0.20 ms, on the event loop that also answers Alertmanager.
 */
import { fixedClientToken, type ClientToken } from '../../config/client-token.js';
import { keepAliveAgents, postOnce } from '../http-post.js';
import { networkFailure } from '../retry-classify.js';
import { redactSecrets } from '../redact.js';
import { refuseSlackUrlCredentials } from './api-url.js';
import { isReadMethod, type SlackApiCall } from './calls.js';
import { classifySlackAnswer, type SlackAnswer } from './errors.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** Slack's answers are small; a proxy's error page need not be kept whole. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type SlackCallResult = SlackAnswer;

const JSON_TYPE = 'application/json; charset=utf-8';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** A read's arguments as a form: strings, numbers and booleans only (the reads take no objects). */
function formBody(args: object): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(args)) {
    if (value !== undefined) form.append(name, String(value));
  }
  return form.toString();
}

/**
 * Slack's answers that refuse the token itself: after a rotation, the old token is revoked
 * (`token_revoked`, `invalid_auth`) and a new one may be in the file already.
 */
export const AUTH_SLACK_ERRORS: ReadonlySet<string> = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

export interface SlackTransportOptions {
  /** The bot token, or one that follows SLACK_TOKEN_FILE. */
  token: string | ClientToken;
  /** Web API base, e.g. `https://slack.com/api/` (a trailing slash is added when missing). */
  apiUrl?: string;
  timeoutMs?: number;
}

export interface SlackTransport {
  call(call: SlackApiCall, signal?: AbortSignal): Promise<SlackCallResult>;
}

export function createSlackTransport(opts: SlackTransportOptions): SlackTransport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const base = (opts.apiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/*$/, '/');
  // Its credentials would be dropped for the bearer token's Authorization header (api-url.ts).
  refuseSlackUrlCredentials(new URL(base));
  const agents = keepAliveAgents();
  const urls = new Map<string, URL>();
  const urlOf = (method: string): URL => {
    let url = urls.get(method);
    if (!url) urls.set(method, (url = new URL(method, base)));
    return url;
  };
  const token = typeof opts.token === 'string' ? fixedClientToken(opts.token) : opts.token;
  // The writes (chat.postMessage, chat.update) as JSON, which Slack takes for them, rather than
  // the form its SDKs send: a third of the bytes and of the CPU of percent-encoding a message's
  // blocks (3 vs 9 µs per call by microbenchmark). The reads (conversations.history and
  // .replies, post-lookup.ts) as a form: Slack takes JSON for write methods only.
  const headersFor = (bearer: string, contentType: string) => ({
    'content-type': contentType,
    authorization: `Bearer ${bearer}`,
    'user-agent': 'alertgate',
    accept: 'application/json',
  });
  let headers = headersFor(token.current(), JSON_TYPE);
  let headersToken = token.current();

  async function once(call: SlackApiCall, bearer: string, signal: AbortSignal | undefined): Promise<SlackCallResult> {
    if (bearer !== headersToken) {
      headers = headersFor(bearer, JSON_TYPE);
      headersToken = bearer;
    }
    const read = isReadMethod(call.method);
    const body = read ? formBody(call.args) : JSON.stringify(call.args);
    const answer = await postOnce(urlOf(call.method), body, { headers: read ? headersFor(bearer, FORM_TYPE) : headers, timeoutMs, signal, maxBytes: MAX_RESPONSE_BYTES, agents });
    if ('reason' in answer) return { ...networkFailure(`slack ${call.method}`, redactSecrets(answer.reason, [bearer])), requestSent: answer.requestSent };
    return classifySlackAnswer(answer, { method: call.method, token: bearer });
  }

  return {
    async call(call, signal) {
      const used = token.current();
      const result = await once(call, used, signal);
      if (result.ok || result.slackError === undefined || !AUTH_SLACK_ERRORS.has(result.slackError)) return result;
      // Refused for its token: the Secret may have been rotated. An unchanged file leaves the
      // refusal as it was (final, retry-classify.ts); a new token gets the same call once more,
      // unpaced: Slack did nothing with the refused one.
      const fresh = await token.refused(used, result.slackError);
      return fresh === undefined ? result : once(call, fresh, signal);
    },
  };
}
