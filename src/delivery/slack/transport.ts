/**
 * @module delivery/slack/transport
 * One Slack Web API call through @slack/web-api's `WebClient`, answered as a result rather
 * than a throw. The client's own retrying is switched off (`retries: 0`,
 * `rejectRateLimitedCalls`): the outbox owns retries, durably and with its own budget.
 */
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { DeliveryLogger } from '../log-sink.js';
import { redactSecrets } from '../redact.js';
import type { SlackCall } from './calls.js';
import { createNodeFetch } from './node-fetch.js';
import { classifySlackError, type SlackFailure } from './errors.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

export type SlackCallResult = { ok: true; data: Record<string, unknown> } | SlackFailure;

export interface SlackTransportOptions {
  token: string;
  /** Web API base, e.g. `https://slack.com/api/` (a trailing slash is added when missing). */
  apiUrl?: string;
  timeoutMs?: number;
  logger?: DeliveryLogger;
}

export interface SlackTransport {
  call(call: SlackCall, signal?: AbortSignal): Promise<SlackCallResult>;
}

/**
 * Routes WebClient's warnings into our structured logger at debug, secrets removed. Its own
 * debug/info lines (whole request bodies) are dropped: we log each call ourselves.
 */
function slackLoggerAdapter(logger: DeliveryLogger | undefined, token: string): SlackLogger {
  const forward = (...msg: unknown[]): void => {
    const text = msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
    logger?.debug({ component: 'slack-web-api' }, redactSecrets(text, [token]));
  };
  let level = LogLevel.DEBUG;
  return {
    debug: () => {},
    info: () => {},
    warn: forward,
    error: forward,
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The call's arguments with `blocks` already JSON: the form field Slack receives is the same
 * text, but WebClient no longer walks the blocks twice per call (copying them to redact tokens
 * for a debug line it then drops, and serialising that copy) before serialising them again.
 */
function wireArgs(call: SlackCall): Record<string, unknown> {
  const { blocks, ...rest } = call.args;
  return blocks === undefined ? rest : { ...rest, blocks: JSON.stringify(blocks) };
}

export function createSlackTransport(opts: SlackTransportOptions): SlackTransport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const slackApiUrl = opts.apiUrl ?? DEFAULT_SLACK_API_URL;
  const logger = slackLoggerAdapter(opts.logger, opts.token);

  // One client per abort signal, reused for every call: building a WebClient costs more CPU
  // than the call itself (~0.7 ms). WebClient has no per-call AbortSignal, so the signal is bound
  // into the client's fetch; the outbox passes one signal (its shutdown) for every call.
  const clients = new WeakMap<AbortSignal, WebClient>();
  const fetch = createNodeFetch();
  let unsignalled: WebClient | undefined;
  const clientFor = (signal: AbortSignal | undefined): WebClient => {
    if (!signal) return (unsignalled ??= newClient(undefined));
    let client = clients.get(signal);
    if (!client) clients.set(signal, (client = newClient(signal)));
    return client;
  };
  const newClient = (signal: AbortSignal | undefined): WebClient =>
    new WebClient(opts.token, {
      slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      // The outbox bounds concurrency; the client's own queue must never hold a call back.
      maxRequestConcurrency: Number.MAX_SAFE_INTEGER,
      logger,
      allowAbsoluteUrls: false,
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          signal: signal && init?.signal ? AbortSignal.any([init.signal, signal]) : (init?.signal ?? signal),
        }),
    });

  return {
    async call(call, signal) {
      try {
        const data = (await clientFor(signal).apiCall(call.method, wireArgs(call))) as unknown as Record<string, unknown>;
        return { ok: true, data };
      } catch (err) {
        return classifySlackError(err, { method: call.method, token: opts.token, timeoutMs });
      }
    },
  };
}
