/**
 * @module http/every-response-headers
 * `X-Content-Type-Options: nosniff` on every answer the gateway writes: JSON (errors echo the
 * path and parameters they refuse: `no route for GET /<script>…`), the CSV, redirects, /metrics,
 * not only the uptime pages and stylesheet, so no browser second-guesses a declared type and
 * renders a body as HTML or script.
 *
 * Added where every answer passes, the server's `ServerResponse` (as http/closing-responses.ts
 * does, and for its reason: a global Hono middleware would turn off Hono's one-handler fast path
 * for every webhook): @hono/node-server writes each head with `writeHead(status, headers)`, whose
 * headers object gains the header (copied, never changed in place: it may be a route's own);
 * Node's implicit head (`writeHead(status)`) gets it through `setHeader`. A header a route set
 * itself is kept.
 */
import { ServerResponse, type OutgoingHttpHeaders } from 'node:http';

const NAME = 'x-content-type-options';
const VALUE = 'nosniff';

/**
 * Every answer passes here, webhooks too: two lookups and a copy by Object.assign (tens of ns; a
 * loop over the keys with a spread cost ~1 µs). Hono and @hono/node-server give names in lower
 * case; the one other spelling a route might use is checked too (any other would only repeat it).
 */
function withNosniff(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  if (NAME in headers || 'X-Content-Type-Options' in headers) return headers;
  return Object.assign({ [NAME]: VALUE }, headers);
}

/** The array forms Node's writeHead also takes: flat `[name, value, …]` or nested `[[name, value], …]`. */
function withNosniffArray(headers: unknown[]): unknown[] {
  if (Array.isArray(headers[0])) {
    for (const entry of headers) if (Array.isArray(entry) && String(entry[0]).toLowerCase() === NAME) return headers;
    return [...headers, [NAME, VALUE]];
  }
  for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === NAME) return headers;
  return [...headers, NAME, VALUE];
}

const writeHead = ServerResponse.prototype.writeHead;

/** A ServerResponse whose every head carries `X-Content-Type-Options: nosniff`. */
export class NosniffResponse extends ServerResponse {}

NosniffResponse.prototype.writeHead = function (this: ServerResponse, ...args: unknown[]) {
  // writeHead(status, [statusMessage], [headers])
  const at = typeof args[1] === 'string' ? 2 : 1;
  const headers = args[at];
  if (Array.isArray(headers)) args[at] = withNosniffArray(headers);
  else if (headers && typeof headers === 'object') {
    if (!this.hasHeader(NAME)) args[at] = withNosniff(headers as OutgoingHttpHeaders);
  } else if (!this.headersSent && !this.hasHeader(NAME)) this.setHeader(NAME, VALUE);
  return writeHead.apply(this, args as Parameters<typeof writeHead>);
} as typeof writeHead;
