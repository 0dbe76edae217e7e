/**
 * @module delivery/slack/node-fetch
 * The `fetch` WebClient calls Slack with, on node:http / node:https and one keep-alive agent.
 *
 * Why: Node 20's built-in fetch (undici) costs ~0.3 ms of CPU per call in Request/Response and
 * web-stream machinery; during an alert storm every new group is a Slack call on the same event
 * loop that answers Alertmanager. WebClient stays in charge of the Web API (form encoding,
 * `ok:false` errors, 429 handling); this only carries its requests. It supports what WebClient
 * uses: POST with a string body, headers, `signal`; the answer is a standard `Response`.
 */
import http from 'node:http';
import https from 'node:https';

/** Most of a response body kept (Slack answers are small; a proxy's error page need not be). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type FetchLike = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function createNodeFetch(): FetchLike {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const body = init.body;
      if (body !== undefined && body !== null && typeof body !== 'string') {
        reject(new TypeError('slack transport: only string request bodies are supported'));
        return;
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, key) => (headers[key] = value));
      if (body) headers['content-length'] = String(Buffer.byteLength(body));
      const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
      const req = (protocol === 'https:' ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers, agent: agents[protocol], ...(signal ? { signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          res.on('error', (err) => reject(signal?.aborted ? signal.reason : err));
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [key, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
            }
            const status = res.statusCode ?? 0;
            // Response refuses a body for these statuses.
            const noBody = status === 204 || status === 205 || status === 304;
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
          });
        },
      );
      // An aborted request rejects with the signal's reason (TimeoutError for WebClient's timeout).
      req.on('error', (err) => reject(signal?.aborted ? signal.reason : err));
      req.end(body ?? undefined);
    });
}
