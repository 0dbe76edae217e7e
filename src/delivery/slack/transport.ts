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
import { keepAliveAgents, postOnce } from '../http-post.js';
import { networkFailure } from '../retry-classify.js';
import { redactSecrets } from '../redact.js';
import type { SlackCall } from './calls.js';
import { classifySlackAnswer, type SlackAnswer } from './errors.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** Slack's answers are small; a proxy's error page need not be kept whole. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type SlackCallResult = SlackAnswer;

export interface SlackTransportOptions {
  token: string;
  /** Web API base, e.g. `https://slack.com/api/` (a trailing slash is added when missing). */
  apiUrl?: string;
  timeoutMs?: number;
}

export interface SlackTransport {
  call(call: SlackCall, signal?: AbortSignal): Promise<SlackCallResult>;
}

export function createSlackTransport(opts: SlackTransportOptions): SlackTransport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const base = (opts.apiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/*$/, '/');
  const agents = keepAliveAgents();
  const urls = new Map<string, URL>();
  const urlOf = (method: string): URL => {
    let url = urls.get(method);
    if (!url) urls.set(method, (url = new URL(method, base)));
    return url;
  };
  const headers = {
    // JSON, which Slack takes for the write methods used here (chat.postMessage, chat.update),
    // rather than the form its SDKs send: a third of the bytes and of the CPU of percent-encoding
    // a message's blocks (3 vs 9 µs per call by microbenchmark).
    'content-type': 'application/json; charset=utf-8',
    authorization: `Bearer ${opts.token}`,
    'user-agent': 'alertgate',
    accept: 'application/json',
  };

  return {
    async call(call, signal) {
      const answer = await postOnce(urlOf(call.method), JSON.stringify(call.args), { headers, timeoutMs, signal, maxBytes: MAX_RESPONSE_BYTES, agents });
      if ('reason' in answer) return networkFailure(`slack ${call.method}`, redactSecrets(answer.reason, [opts.token]));
      return classifySlackAnswer(answer, { method: call.method, token: opts.token });
    },
  };
}
