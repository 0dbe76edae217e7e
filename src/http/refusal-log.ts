/**
 * @module http/refusal-log
 * The `webhook refused: …` log lines, throttled and cut to size.
 *
 * Why a line at all: Alertmanager drops a notification answered 4xx for good and logs it only on
 * its side, so the gateway says which request it was (client address, user agent). Why
 * throttled: a scanner or a misconfigured Alertmanager sends refused requests as fast as it
 * likes, and one line each would flood the log. So each (code, client address) gets one line per
 * window; its next line says how many were not logged meanwhile (`suppressed`), and
 * alertgate_webhook_requests_total counts every one. Why cut: the user agent and some error texts
 * (a Content-Type, a JSON parse error quoting the body) are the sender's, as long as it sent them.
 */
import type { Logger } from '../log/logger.js';
import { redactSecrets } from '../delivery/redact.js';
import { LineThrottle, LOG_LINE_WINDOW_MS } from '../log/line-throttle.js';

/** One line per (code, client address) per window. */
export const REFUSAL_LOG_WINDOW_MS = LOG_LINE_WINDOW_MS;
/** Longest text copied from a request into a line (user agent, error). */
export const REFUSAL_TEXT_MAX = 200;

/** A request's text, cut to REFUSAL_TEXT_MAX characters (an ellipsis says it was). */
export function capText(text: string): string;
export function capText(text: string | undefined): string | undefined;
export function capText(text: string | undefined): string | undefined {
  return text !== undefined && text.length > REFUSAL_TEXT_MAX ? `${text.slice(0, REFUSAL_TEXT_MAX)}…` : text;
}

/** The secrets a line must not hold (the gateway's scrub list). */
export type LogSecrets = () => readonly string[];

/**
 * A request's text for a line: the known secrets blanked, then cut (capText). Blanked first: the
 * logger blanks them again in the finished line, but a secret straddling the cut would be left
 * there as a prefix that no longer matches it.
 */
export function requestText(text: string, secrets: LogSecrets | undefined): string;
export function requestText(text: string | undefined, secrets: LogSecrets | undefined): string | undefined;
export function requestText(text: string | undefined, secrets: LogSecrets | undefined): string | undefined {
  return capText(text === undefined || secrets === undefined ? text : redactSecrets(text, secrets()));
}

/**
 * A request's path for a line: as requestText, and a secret sent percent-encoded blanked too.
 * Why: the router decodes a path with decodeURI, which leaves the escapes of `/ + = @ : ? #`
 * (and `%`) as sent, so a token holding one (`openssl rand -base64` writes `/ + =`) sent
 * encoded is matched neither here nor by the logger. The path stays as sent unless a secret is
 * found only once its escapes are decoded; then it is written decoded, with the secret blanked.
 */
export function requestPath(path: string, secrets: LogSecrets | undefined): string {
  if (secrets === undefined) return capText(path);
  const list = secrets();
  const raw = redactSecrets(path, list);
  const decoded = decodeEscapes(raw);
  const blanked = redactSecrets(decoded, list);
  return capText(blanked === decoded ? raw : blanked);
}

/** Each run of `%XX` escapes decoded as UTF-8; a run that is no valid UTF-8 is left as sent. */
function decodeEscapes(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

export interface Refusal {
  code: number;
  error: string;
  client: string | undefined;
  userAgent: string | undefined;
  /** More fields for the line (the first schema issues); their texts are cut too. */
  issues?: { path: string; message: string }[];
}

export interface RequestLogOptions {
  now?: () => number;
  secrets?: LogSecrets;
}

/**
 * What every throttled log of requests shares (this file's RefusalLog, http/unmatched-log): one
 * LineThrottle, and the secrets the request's texts are blanked of. A subclass keeps only its
 * key and its line.
 */
export abstract class ThrottledRequestLog {
  readonly #throttle: LineThrottle;
  readonly #secrets: LogSecrets | undefined;

  constructor(
    protected readonly logger: Logger,
    o: RequestLogOptions = {},
  ) {
    this.#throttle = new LineThrottle(o);
    this.#secrets = o.secrets;
  }

  /** LineThrottle.admit: undefined when no line is to be written, else the `suppressed` count. */
  protected admit(key: string, overflow: string): number | undefined {
    return this.#throttle.admit(key, overflow);
  }

  /** requestText with this log's secrets. */
  protected text(text: string): string;
  protected text(text: string | undefined): string | undefined;
  protected text(text: string | undefined): string | undefined {
    return requestText(text, this.#secrets);
  }

  /** requestPath with this log's secrets. */
  protected path(path: string): string {
    return requestPath(path, this.#secrets);
  }
}

export class RefusalLog extends ThrottledRequestLog {
  refused(r: Refusal): void {
    // Beyond the clients it tracks, further ones share one throttle per code.
    const suppressed = this.admit(`${r.code} ${r.client}`, `${r.code} (others)`);
    if (suppressed === undefined) return;
    this.logger.warn(
      {
        code: r.code,
        error: this.text(r.error),
        ...(r.issues ? { issues: r.issues.map((i) => ({ path: this.text(i.path), message: this.text(i.message) })) } : {}),
        client: r.client,
        userAgent: this.text(r.userAgent),
        ...(suppressed > 0 ? { suppressed } : {}),
      },
      'webhook refused: Alertmanager does not retry a 4xx, so this notification is lost',
    );
  }
}
