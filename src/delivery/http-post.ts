/**
 * @module delivery/http-post
 * One POST and its answer, on node:http / node:https, for the receivers' small API clients
 * (Slack Web API, PagerDuty Events API v2). One attempt, no redirects, no retries: the outbox
 * owns retrying. The answer body is read up to a cap (real answers are small; a proxy's error
 * page need not be kept whole). A private CA is trusted through `ca` (tests) or
 * NODE_EXTRA_CA_CERTS (production).
 *
 * Why not the built-in fetch: its Request/Response and web-stream machinery cost ~0.3 ms of CPU
 * per call on the event loop that also answers Alertmanager.
 */
import http from 'node:http';
import https from 'node:https';
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
  /**
   * The whole request had been handed to the connection when it failed (a timeout waiting for
   * the answer, a reset after the write): the server may have acted on it. False when it never
   * left (refused, DNS, TLS, aborted before the write), so the server cannot have.
   */
  requestSent: boolean;
}

export interface PostOptions {
  headers: Record<string, string | number>;
  /** The call gives up after this long. */
  timeoutMs: number;
  /** The caller's own abort (shutdown). */
  signal?: AbortSignal | undefined;
  maxBytes: number;
  /** Keep-alive agents, one per protocol; Node's global agents when absent. */
  agents?: { http: http.Agent; https: https.Agent };
  /** Extra trusted CA (PEM) for https. */
  ca?: string | Buffer;
}

/** Keep-alive agents for a client that calls one API many times. */
export function keepAliveAgents(): { http: http.Agent; https: https.Agent } {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
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
    // Set by the request's 'finish': the body went to the socket (not merely into its buffer).
    let requestSent = false;
    const finish = (result: PostAnswer | NoAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      settle(result);
    };
    const giveUp = (reason: string) => {
      finish({ reason, requestSent });
      req.destroy();
    };
    const onAbort = () => giveUp('request aborted');
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': Buffer.byteLength(body) },
      ...(opts.agents ? { agent: secure ? opts.agents.https : opts.agents.http } : {}),
      ...(opts.ca !== undefined && secure ? { ca: opts.ca } : {}),
    };
    const failed = (err: unknown) => finish({ reason: describeNetworkError(err, opts.timeoutMs), requestSent });
    const req = (secure ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        if (received < opts.maxBytes) chunks.push(chunk);
        received += chunk.length;
      });
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        finish({
          status: res.statusCode ?? 0,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          body: Buffer.concat(chunks).toString('utf8').slice(0, opts.maxBytes),
        });
      });
      res.on('error', failed);
    });
    req.on('error', failed);
    req.on('finish', () => (requestSent = true));
    const timer = setTimeout(() => giveUp(`request timed out after ${opts.timeoutMs}ms`), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

