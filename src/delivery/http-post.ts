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

/** One POST: its answer, or why there was none (never throws). */
export async function postOnce(url: URL, body: string, opts: PostOptions): Promise<PostAnswer | NoAnswer> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    return await request(url, body, opts, signal);
  } catch (err) {
    return { reason: noAnswerReason(err, { timeout, timeoutMs: opts.timeoutMs, caller: opts.signal }) };
  }
}

/** Rejects with the transport error (refused, reset, TLS, or AbortError once `signal` fires). */
function request(url: URL, body: string, opts: PostOptions, signal: AbortSignal): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': Buffer.byteLength(body) },
      signal,
      ...(opts.agents ? { agent: secure ? opts.agents.https : opts.agents.http } : {}),
      ...(opts.ca !== undefined && secure ? { ca: opts.ca } : {}),
    };
    const req = (secure ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        if (received < opts.maxBytes) chunks.push(chunk);
        received += chunk.length;
      });
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          body: Buffer.concat(chunks).toString('utf8').slice(0, opts.maxBytes),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Why a call that got no answer failed: our timeout, the caller's abort, or the network's reason. */
function noAnswerReason(err: unknown, ctx: { timeout: AbortSignal; timeoutMs: number; caller?: AbortSignal | undefined }): string {
  // node:http reports both our timeout and the caller's abort as AbortError.
  if (ctx.timeout.aborted) return `request timed out after ${ctx.timeoutMs}ms`;
  if (ctx.caller?.aborted) return 'request aborted';
  return describeNetworkError(err, ctx.timeoutMs);
}
