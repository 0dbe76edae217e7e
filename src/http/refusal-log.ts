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

/** One line per (code, client address) per window. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;
/** Longest text copied from a request into a line (user agent, error). */
export const REFUSAL_TEXT_MAX = 200;
/**
 * Most (code, client) pairs tracked at once: beyond it (a flood from that many addresses within
 * one window), further clients share one throttle per code, so memory and lines stay bounded.
 */
const MAX_TRACKED = 10_000;
/**
 * How long a window that ended with refusals unlogged is kept, so its count reaches that client's
 * next line; the count of a client that stays away longer is only in the metric.
 */
const KEEP_COUNT_MS = 60_000;

/** A request's text, cut to REFUSAL_TEXT_MAX characters (an ellipsis says it was). */
export function capText(text: string): string;
export function capText(text: string | undefined): string | undefined;
export function capText(text: string | undefined): string | undefined {
  return text !== undefined && text.length > REFUSAL_TEXT_MAX ? `${text.slice(0, REFUSAL_TEXT_MAX)}…` : text;
}

export interface Refusal {
  code: number;
  error: string;
  client: string | undefined;
  userAgent: string | undefined;
  /** More fields for the line (the first schema issues); their texts are cut too. */
  issues?: { path: string; message: string }[];
}

interface Window {
  /** When this window ends (clock ms). */
  until: number;
  /** Refusals not logged since its line. */
  suppressed: number;
}

export class RefusalLog {
  /** Keyed `code client`; in the order the windows started, so ended ones are at the front. */
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(
    private readonly logger: Logger,
    o: { now?: () => number } = {},
  ) {
    this.#now = o.now ?? (() => performance.now());
  }

  refused(r: Refusal): void {
    const now = this.#now();
    let key = `${r.code} ${r.client}`;
    let open = this.#windows.get(key);
    if (open === undefined && this.#windows.size >= MAX_TRACKED) {
      this.#sweep(now);
      if (this.#windows.size >= MAX_TRACKED) {
        key = `${r.code} (others)`;
        open = this.#windows.get(key);
      }
    }
    if (open !== undefined && now < open.until) {
      open.suppressed++;
      return;
    }
    this.#windows.delete(key);
    this.#windows.set(key, { until: now + REFUSAL_LOG_WINDOW_MS, suppressed: 0 });
    this.#sweep(now);
    this.logger.warn(
      {
        code: r.code,
        error: capText(r.error),
        ...(r.issues ? { issues: r.issues.map((i) => ({ path: capText(i.path), message: capText(i.message) })) } : {}),
        client: r.client,
        userAgent: capText(r.userAgent),
        ...(open && open.suppressed > 0 ? { suppressed: open.suppressed } : {}),
      },
      'webhook refused: Alertmanager does not retry a 4xx, so this notification is lost',
    );
  }

  /** Forgets windows that ended (from the front, where the oldest are), those with a count KEEP_COUNT_MS later. */
  #sweep(now: number): void {
    for (const [key, w] of this.#windows) {
      if (now < w.until) break;
      if (w.suppressed > 0 && now < w.until + KEEP_COUNT_MS) continue;
      this.#windows.delete(key);
    }
  }
}
