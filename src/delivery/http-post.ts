/**
 * @module delivery/http-post
 * One POST and its answer, for the receivers' small API clients (Slack Web API, PagerDuty
 * Events API v2). One attempt, no redirects, no retries: the outbox owns retrying. The answer
 * body is read up to a cap (real answers are small; a proxy's error page need not be kept
 * whole). A private CA is trusted through `ca` (tests) or NODE_EXTRA_CA_CERTS (production).
 *
 * The calls go through undici's `dispatch`, the handler-level API under its `request` and Node's
 * own fetch: no Request/Response objects and no body streams, only callbacks. The delivery calls
 * run on the event loop that also answers Alertmanager, and they cost it less this way: measured
 * against a local Slack stand-in, 0.028 ms of CPU per call, against 0.058–0.061 ms for
 * node:http with a keep-alive agent (the previous transport), 0.036 for undici's `request` and
 * ~0.3 ms for the built-in fetch.
 */
import { Agent, type Dispatcher } from 'undici';
import { describeNetworkError } from './retry-classify.js';

export interface PostAnswer {
  status: number;
  /** The Retry-After header, if any. */
  retryAfter: string | undefined;
  /** The body as UTF-8, at most `maxBytes` of it. */
  body: string;
}

/** No HTTP answer: refused, reset, TLS, our timeout or the caller's abort; `reason` says which. */
export interface NoAnswer {
  reason: string;
}

/** Keep-alive connections of one API client (a pool per origin). */
export type HttpClient = Dispatcher;

export interface PostOptions {
  headers: Record<string, string>;
  /** The call gives up after this long, wherever it is (connecting, waiting, reading). */
  timeoutMs: number;
  /** The caller's own abort (shutdown). */
  signal?: AbortSignal | undefined;
  maxBytes: number;
  /** The client's connections (`httpClient()`), reused from call to call. */
  client: HttpClient;
}

/**
 * Connections for a client that calls one API many times. undici's own deadlines are off: each
 * call has a single deadline of its own (`timeoutMs`). Idle connections do not keep a process
 * alive. `ca`: an extra trusted CA (PEM) for https.
 */
export function httpClient(o: { ca?: string | Buffer } = {}): HttpClient {
  return new Agent({ headersTimeout: 0, bodyTimeout: 0, ...(o.ca !== undefined ? { connect: { ca: o.ca } } : {}) });
}

class GaveUp extends Error {}

function header(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toString('latin1').toLowerCase() === name) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}

/**
 * One POST: its answer, or why there was none (never throws). The deadline is a plain timer and
 * the caller's signal a single listener, both cleared when the call ends: an AbortSignal.timeout
 * joined to the caller's by AbortSignal.any cost ~2 % of the event loop's time at a thousand
 * deliveries a second (docs/performance.md, 2026-12-05).
 */
export function postOnce(url: URL, body: string, opts: PostOptions): Promise<PostAnswer | NoAnswer> {
  return new Promise((settle) => {
    let done = false;
    // undici hands the abort function over when the request is written to a connection; a call
    // given up before that (still connecting) is aborted then.
    let abort: ((err: Error) => void) | undefined;
    let status = 0;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: PostAnswer | NoAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      settle(result);
    };
    const giveUp = (reason: string) => {
      finish({ reason });
      abort?.(new GaveUp(reason));
    };
    const onAbort = () => giveUp('request aborted');
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abortCall) {
        if (done) abortCall(new GaveUp('gave up before the request was sent'));
        else abort = abortCall;
      },
      onHeaders(statusCode, rawHeaders) {
        status = statusCode;
        retryAfter = header(rawHeaders, 'retry-after');
        return true;
      },
      onData(chunk) {
        if (received < opts.maxBytes) chunks.push(chunk);
        received += chunk.length;
        return true;
      },
      onComplete() {
        finish({ status, retryAfter, body: Buffer.concat(chunks).toString('utf8').slice(0, opts.maxBytes) });
      },
      onError(err) {
        finish({ reason: describeNetworkError(err, opts.timeoutMs) });
      },
    };
    const timer = setTimeout(() => giveUp(`request timed out after ${opts.timeoutMs}ms`), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      opts.client.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers: opts.headers, body }, handler);
    } catch (err) {
      finish({ reason: describeNetworkError(err, opts.timeoutMs) });
    }
  });
}
