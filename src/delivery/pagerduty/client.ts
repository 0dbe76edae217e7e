/**
 * @module delivery/pagerduty/client
 * A small client for PagerDuty Events API v2 (`POST <eventsUrl>/v2/enqueue`) on node:http and
 * node:https (delivery/http-post.ts): plain http works for local fakes, https takes a custom `ca` (tests) and honours
 * NODE_EXTRA_CA_CERTS (production behind a private CA).
 *
 * Why not @pagerduty/pdjs: it forces https, ignores Retry-After, sleeps 20 s between its own
 * retries and leaves 30 s timers alive after a call. Our outbox retries durably and honours
 * Retry-After, so we need one honest attempt per call with a bounded timeout.
 */
import { bodyExcerpt } from '../body-excerpt.js';
import { postOnce } from '../http-post.js';
import { redactSecrets, urlCredentials } from '../redact.js';
import { classifyHttpStatus, networkFailure } from '../retry-classify.js';
import type { NotifyResult } from '../notifier.js';
import type { PagerDutyEvent } from './event.js';
import { withoutTrailingSlashes } from '../../model/url-text.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';
export const DEFAULT_PAGERDUTY_TIMEOUT_MS = 10_000;

/** Most of a response body we read (PagerDuty's answers are tiny; a proxy's error page is not). */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Longest server explanation kept in an error message. */
const MAX_DETAIL_CHARS = 300;

export interface PagerDutyClientOptions {
  /** Events API base; `/v2/enqueue` is appended. Default https://events.pagerduty.com. */
  eventsUrl?: string;
  timeoutMs?: number;
  /** Extra trusted CA (PEM) for https; production uses NODE_EXTRA_CA_CERTS instead. */
  ca?: string | Buffer;
}

export interface PagerDutyClient {
  /** The URL events are posted to (no secrets in it). */
  readonly enqueueUrl: string;
  /** Sends one event; never throws. Error texts never contain the routing key. */
  send(event: PagerDutyEvent, signal?: AbortSignal): Promise<NotifyResult>;
}

/**
 * The URL events are posted to: `<eventsUrl>/v2/enqueue`, or `eventsUrl` itself when it is that
 * URL already, as PagerDuty's docs and Alertmanager's `pagerduty_url` write it: appended again,
 * every page went to `/v2/enqueue/v2/enqueue`, got a 404 and was dead.
 */
export function enqueueUrlOf(eventsUrl: string): string {
  const base = withoutTrailingSlashes(eventsUrl);
  return /\/v2\/enqueue$/i.test(base) ? base : `${base}/v2/enqueue`;
}

/**
 * PagerDuty's own explanation: `{"message":"Event object is invalid","errors":["…"]}`, with the
 * secrets blanked by `clean` in the text as it is shown, before it is cut. Blanked in the raw
 * answer only, a secret a proxy echoed JSON-escaped (`\/` for `/`, `\u0026` for `&`) was not
 * matched there and came back in clear from the parse; cut first, one straddling the cut would
 * be left as a prefix that no longer matches.
 */
function explain(body: string, clean: (text: string) => string): string | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof parsed.message === 'string') parts.push(parsed.message);
    if (Array.isArray(parsed.errors)) parts.push(...parsed.errors.filter((e): e is string => typeof e === 'string'));
    if (parts.length > 0) return clean(parts.join('; ')).slice(0, MAX_DETAIL_CHARS);
  } catch {
    // not JSON: a proxy or load balancer page; keep what it says
  }
  return bodyExcerpt(text, MAX_DETAIL_CHARS, clean);
}

export function createPagerDutyClient(opts: PagerDutyClientOptions = {}): PagerDutyClient {
  const enqueueUrl = enqueueUrlOf(opts.eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL);
  const url = new URL(enqueueUrl);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PAGERDUTY_TIMEOUT_MS;
  const what = 'pagerduty enqueue';
  // A proxy in front of PagerDuty may echo the basic auth node:http sends for the URL's userinfo.
  const credentials = urlCredentials(enqueueUrl);

  return {
    enqueueUrl,
    async send(event, signal) {
      const clean = (s: string): string => redactSecrets(s, [event.routing_key, ...credentials]);
      const res = await postOnce(url, JSON.stringify(event), {
        headers: { 'content-type': 'application/json', 'user-agent': 'alertgate', accept: 'application/json' },
        timeoutMs,
        signal,
        maxBytes: MAX_RESPONSE_BYTES,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      });
      if ('reason' in res) return networkFailure(what, clean(res.reason));
      const detail = res.status >= 200 && res.status < 300 ? undefined : explain(res.body, clean);
      const result = classifyHttpStatus(what, res.status, {
        retryAfter: res.retryAfter,
        ...(detail !== undefined ? { detail } : {}),
      });
      // PagerDuty limits events per routing key and says for how long by no Retry-After: the
      // outbox holds the team's sends with its backoff (outbox/worker).
      if (res.status === 429 && !result.ok) result.limitedCall = what;
      return result;
    },
  };
}
