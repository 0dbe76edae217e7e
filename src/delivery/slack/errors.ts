/**
 * @module delivery/slack/errors
 * Maps what @slack/web-api 8 throws onto our retry policy:
 * - `WebAPIRateLimitedError` (HTTP 429; we set `rejectRateLimitedCalls`) → retryable, `retryAfter` s
 * - `WebAPIHTTPError` (non-200 status) → the shared HTTP policy (5xx retryable, 4xx final)
 * - `WebAPIRequestError` (refused, reset, timeout) → retryable
 * - `WebAPIPlatformError` (HTTP 200 `{ok:false,error}`) → final, except Slack's transient codes
 * - anything else (e.g. a 429 without a usable Retry-After) → retryable
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { redactSecrets } from '../redact.js';
import { classifyHttpStatus, describeNetworkError, type NotifyFailure } from '../retry-classify.js';

/** Platform error codes Slack documents as transient. */
export const RETRYABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export type SlackFailure = NotifyFailure & {
  /** Slack's platform error code (`channel_not_found`, `message_not_found`, …) when there is one. */
  slackError?: string;
};

/** Longest excerpt of an unexpected HTTP body kept in an error message. */
const BODY_EXCERPT = 200;

export function classifySlackError(
  err: unknown,
  ctx: { method: string; token: string; timeoutMs?: number },
): SlackFailure {
  const what = `slack ${ctx.method}`;
  const clean = (s: string): string => redactSecrets(s, [ctx.token]);

  if (err instanceof WebAPIRateLimitedError) {
    return { ok: false, retryable: true, retryAfterMs: err.retryAfter * 1000, error: `${what}: rate limited (HTTP 429), retry after ${err.retryAfter}s` };
  }
  if (err instanceof WebAPIHTTPError) {
    const body = typeof err.body === 'string' ? err.body.trim().slice(0, BODY_EXCERPT) : '';
    const result = classifyHttpStatus(what, err.statusCode, {
      retryAfter: err.headers['retry-after'],
      ...(body ? { detail: clean(body) } : {}),
    });
    return result.ok ? { ok: false, retryable: true, error: `${what}: unexpected HTTP ${err.statusCode}` } : result;
  }
  if (err instanceof WebAPIPlatformError) {
    const code = String(err.data.error);
    const failure: SlackFailure = {
      ok: false,
      retryable: RETRYABLE_SLACK_ERRORS.has(code),
      error: clean(`${what}: ${code}`),
      slackError: code,
    };
    const retryAfter = err.data.response_metadata?.retryAfter;
    if (failure.retryable && typeof retryAfter === 'number') failure.retryAfterMs = retryAfter * 1000;
    return failure;
  }
  if (err instanceof WebAPIRequestError) {
    return { ok: false, retryable: true, error: clean(`${what}: ${describeNetworkError(err.original, ctx.timeoutMs)}`) };
  }
  return { ok: false, retryable: true, error: clean(`${what}: ${describeNetworkError(err, ctx.timeoutMs)}`) };
}
