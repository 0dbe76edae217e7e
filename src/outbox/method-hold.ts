/**
 * @module outbox/method-hold
 * A Slack method whose limit is the app's in the whole workspace (chat.update, Tier 3): held in
 * every channel for a 429's Retry-After, then released at a bounded pace. Without the pace, every
 * edit held meanwhile came due at the same instant and went at once, which on a busy workspace
 * met another 429 straight away and spent an attempt on each edit that got it.
 *
 * The release: one call of the method every `spacingMs` (default RELEASE_SPACING_MS), until the
 * pace has gone unused for RELEASE_QUIET_MS; then calls go as they come again. Per process, as
 * the channel pacing is: N replicas may together reach N× the pace (each learns from its own 429).
 */

/**
 * Slack's Tier 3 (chat.update) allows about 50 calls a minute per app per workspace: one every
 * 1.2 s keeps the held backlog within it however long it is, where a burst would spend at once
 * the allowance the hold waited for (and meet the next 429 with the rest).
 */
export const RELEASE_SPACING_MS = 1_200;

/**
 * Slack counts Tier 3 per minute: once a whole minute has gone by without the pace being used,
 * the backlog of the hold is gone, and what comes now is the workspace's own traffic. (A shorter
 * quiet would end the release while held edits handed back until their slot are still waiting
 * for the next claim.)
 */
export const RELEASE_QUIET_MS = 60_000;

interface MethodState {
  /** Held by a Retry-After until then. */
  until: number;
  /** The release's next free slot. */
  nextSlotAt: number;
  /** The latest slot promised to a call handed back to wait for it (0: none). */
  promisedUntil: number;
}

export class MethodHolds {
  private readonly methods = new Map<string, MethodState>();

  constructor(
    private readonly now: () => number,
    private readonly spacingMs = RELEASE_SPACING_MS,
  ) {}

  /**
   * The receiver limited `method` in the whole workspace (429 Retry-After): hold it for `ms`, and
   * release it at the pace from then on. A hold during a release keeps the slots already taken
   * (their calls check the hold before they are made), so the release goes on after it from the
   * later of the two.
   */
  hold(method: string, ms: number): void {
    const s = this.methods.get(method);
    const until = Math.max(s?.until ?? 0, this.now() + ms);
    this.methods.set(method, { until, nextSlotAt: Math.max(until, s?.nextSlotAt ?? 0), promisedUntil: 0 });
  }

  /** How long (ms) `method` is still held in every channel; 0 when it is not. */
  heldFor(method: string): number {
    const s = this.methods.get(method);
    return s ? Math.max(0, s.until - this.now()) : 0;
  }

  /**
   * Take a slot for one call of `method` if it comes within `maxWaitMs`, answering the wait (0: a
   * method never held, or released). Otherwise take nothing and answer `deferMs`: until the hold
   * ends, or a slot of the release one spacing after the last one promised to a call handed back,
   * so that a backlog handed back comes back one call at a time, not all at the next free slot
   * (claimed, most of it handed back again, over and over). A slot whose call is not made after
   * all (the delivery handed back) is not given back: the next call waits one spacing more.
   */
  reserveWithin(method: string, maxWaitMs: number): { waitMs: number } | { deferMs: number } {
    const s = this.methods.get(method);
    if (!s) return { waitMs: 0 };
    const now = this.now();
    if (now < s.until) return { deferMs: s.until - now };
    // Not while calls handed back may still come for the slots they were promised.
    if (now - s.nextSlotAt >= RELEASE_QUIET_MS && now >= s.promisedUntil) {
      this.methods.delete(method);
      return { waitMs: 0 };
    }
    const slot = Math.max(now, s.nextSlotAt);
    if (slot - now > maxWaitMs) {
      s.promisedUntil = Math.max(slot, s.promisedUntil + this.spacingMs);
      return { deferMs: s.promisedUntil - now };
    }
    s.nextSlotAt = slot + this.spacingMs;
    return { waitMs: slot - now };
  }
}
