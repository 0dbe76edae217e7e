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

export function createSlackTransport(opts: SlackTransportOptions): SlackTransport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const slackApiUrl = opts.apiUrl ?? DEFAULT_SLACK_API_URL;
  const logger = slackLoggerAdapter(opts.logger, opts.token);

  return {
    async call(call, signal) {
      // WebClient has no per-call AbortSignal, so each call gets a client whose fetch also
      // listens to the caller's signal (cheap: a client is a queue and a few fields).
      const client = new WebClient(opts.token, {
        slackApiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: timeoutMs,
        logger,
        allowAbsoluteUrls: false,
        fetch: (url, init) =>
          globalThis.fetch(url, {
            ...init,
            signal: signal && init?.signal ? AbortSignal.any([init.signal, signal]) : (init?.signal ?? signal),
          }),
      });
      try {
        const data = (await client.apiCall(call.method, { ...call.args })) as unknown as Record<string, unknown>;
        return { ok: true, data };
      } catch (err) {
        return classifySlackError(err, { method: call.method, token: opts.token, timeoutMs });
      }
    },
  };
}
