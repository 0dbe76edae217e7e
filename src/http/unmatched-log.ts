/**
 * @module http/unmatched-log
 * The `no route for this path` log lines of requests no route serves (answered 404).
 *
 * Why a line: alertgate_http_unmatched_requests_total says that a POST went to a wrong path, not
 * which path nor who sent it; an Alertmanager whose webhook_config has a mistyped url drops each
 * 404 for good and says so only in its own log. Why throttled: a scanner asks for paths as fast as
 * it likes, so each (method, client address) gets one line per window (log/line-throttle.ts) and
 * the metric counts every one. What the path is cut to: the query string is never there (Hono's
 * path stops at `?`; a query may carry a token), and the rest is the sender's, so it is cut to
 * REFUSAL_TEXT_MAX characters after the known secrets in it, as sent or percent-encoded, are
 * blanked (requestPath).
 */
import { ThrottledRequestLog } from './refusal-log.js';

export interface UnmatchedRequest {
  method: string;
  /** The request's path, without its query string. */
  path: string;
  client: string | undefined;
  userAgent: string | undefined;
}

export class UnmatchedLog extends ThrottledRequestLog {
  unmatched(r: UnmatchedRequest): void {
    // Node takes only the methods it knows, so keys stay few per client.
    const suppressed = this.admit(`${r.method} ${r.client}`, `${r.method} (others)`);
    if (suppressed === undefined) return;
    const fields = {
      method: this.text(r.method),
      path: this.path(r.path),
      client: r.client,
      userAgent: this.text(r.userAgent),
      ...(suppressed > 0 ? { suppressed } : {}),
    };
    // A POST is most likely an Alertmanager webhook lost to a mistyped url; other methods are
    // mostly browsers and scanners.
    if (r.method === 'POST') {
      this.logger.warn(fields, 'no route for this path: answered 404; an Alertmanager webhook_config url pointing here loses its notifications');
    } else {
      this.logger.info(fields, 'no route for this path: answered 404');
    }
  }
}
