/**
 * @module log/line-throttle
 * One log line per key per window, for lines that can come as fast as their cause likes (refused
 * webhooks, requests to paths no route serves, a store outage's failed passes: log/failure-streak):
 * each key gets a line, its next line says how many were not logged meanwhile (`suppressed`), and
 * memory stays bounded however many keys come.
 */

/** One line per key per window, unless the throttle is given another. */
export const LOG_LINE_WINDOW_MS = 10_000;
/**
 * Most keys tracked at once: beyond it (a flood from that many clients within one window), further
 * keys share their overflow key's throttle, so memory and lines stay bounded.
 */
const MAX_TRACKED = 10_000;
/**
 * How long a window that ended with lines unlogged is kept, so its count reaches that key's next
 * line; the count of a key that stays away longer is only in the metric that counts every one.
 */
const KEEP_COUNT_MS = 60_000;

interface Window {
  /** When this window ends (clock ms). */
  until: number;
  /** Lines not logged since its line. */
  suppressed: number;
}

export class LineThrottle {
  /** In the order the windows started, so ended ones are at the front. */
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;
  readonly #windowMs: number;

  constructor(o: { now?: () => number; windowMs?: number } = {}) {
    this.#now = o.now ?? (() => performance.now());
    this.#windowMs = o.windowMs ?? LOG_LINE_WINDOW_MS;
  }

  /**
   * Whether a line for `key` is to be written now: undefined when not (it is counted for the
   * next one), else how many were not written since the key's last line (0 when none).
   * `overflow` is the key used instead once MAX_TRACKED keys are tracked.
   */
  admit(key: string, overflow: string): number | undefined {
    const now = this.#now();
    let open = this.#windows.get(key);
    if (open === undefined && this.#windows.size >= MAX_TRACKED) {
      this.#sweep(now);
      if (this.#windows.size >= MAX_TRACKED) {
        key = overflow;
        open = this.#windows.get(key);
      }
    }
    if (open !== undefined && now < open.until) {
      open.suppressed++;
      return undefined;
    }
    this.#windows.delete(key);
    this.#windows.set(key, { until: now + this.#windowMs, suppressed: 0 });
    this.#sweep(now);
    return open?.suppressed ?? 0;
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
