/**
 * @module delivery/retry-classify
 * The one place that decides whether a failed call is worth retrying (after Alertmanager's
 * `notify/util.go` Retrier), so every integration answers alike:
 * 2xx ok · 429 retryable with the server's Retry-After · 5xx retryable · other 4xx final ·
 * network errors and timeouts retryable.
 * The retry *schedule* (backoff, budget, dead) is the outbox's business, not ours.
 */
import type { NotifyResult } from './notifier.js';

export type NotifyFailure = Extract<NotifyResult, { ok: false }>;

/**
 * Parses a Retry-After header (delay-seconds or HTTP-date) into milliseconds.
 * Returns undefined when absent or unparseable, so the outbox falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** True for statuses whose failure a later attempt may fix. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Classifies an HTTP status answer.
 * @param what the call, for the message (e.g. "pagerduty enqueue")
 * @param detail server's explanation, already free of secrets
 */
export function classifyHttpStatus(
  what: string,
  status: number,
  opts: { retryAfter?: string | null; detail?: string; now?: number } = {},
): NotifyResult {
  if (status >= 200 && status < 300) return { ok: true };
  const detail = opts.detail ? `: ${opts.detail}` : '';
  const failure: NotifyFailure = {
    ok: false,
    retryable: isRetryableStatus(status),
    error: `${what}: HTTP ${status}${detail}`,
  };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(opts.retryAfter, opts.now);
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  }
  return failure;
}

/** A call that never got an HTTP answer (refused, reset, DNS, TLS, timeout): always retryable. */
export function networkFailure(what: string, reason: string): NotifyFailure {
  return { ok: false, retryable: true, error: `${what}: ${reason}` };
}

const UNTRUSTED_CERTIFICATE = "the server's certificate is not signed by a CA this process trusts (a TLS-inspecting proxy, a private CA): add that CA with NODE_EXTRA_CA_CERTS";

/**
 * What to check for the transport errors that do not pass by themselves (retried all the same: a
 * fix needs no restart for DNS, and a retry costs little), so a notification dead after its
 * budget says more than `SELF_SIGNED_CERT_IN_CHAIN`.
 */
const NETWORK_HINTS: Record<string, string> = {
  ENOTFOUND: "the host name does not resolve: check the URL's host and this host's DNS (and egress)",
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CERTIFICATE,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CERTIFICATE,
  CERT_HAS_EXPIRED: "the server's certificate has expired (or this host's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another host name: check the URL's host, or what answers for it (a proxy)",
};

/** The first error code on `err` or its causes that has a hint. */
function hintOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_HINTS[code] !== undefined) return NETWORK_HINTS[code];
  }
  return undefined;
}

/** Describes a transport error without its stack, with what to check (NETWORK_HINTS); the caller still redacts secrets. */
export function describeNetworkError(err: unknown, timeoutMs?: number): string {
  const hint = hintOf(err);
  return hint === undefined ? describeError(err, timeoutMs) : `${describeError(err, timeoutMs)} — ${hint}`;
}

function describeError(err: unknown, timeoutMs?: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') {
      return timeoutMs === undefined ? 'request timed out' : `request timed out after ${timeoutMs}ms`;
    }
    if (err.name === 'AbortError') return 'request aborted';
    // undici wraps the real reason ("ECONNREFUSED …") in `cause` behind a bare "fetch failed".
    const cause = (err as { cause?: unknown }).cause;
    const code = (err as { code?: unknown }).code;
    const causeText = cause instanceof Error ? ` (${describeError(cause, timeoutMs)})` : '';
    const codeText = typeof code === 'string' && !err.message.includes(code) ? `${code} ` : '';
    return `${codeText}${err.message}${causeText}`;
  }
  return String(err);
}
