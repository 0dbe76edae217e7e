/**
 * @module outbox/channel-pacer
 * Paces calls per Slack channel to Slack's published limit (about one message per second per
 * channel, short bursts allowed), so a busy channel slows down instead of meeting 429s; and
 * when Slack does answer 429 with Retry-After, the whole channel waits, not just that message,
 * while every other channel keeps delivering. A limit that is the workspace's, not a channel's
 * (chat.update, delivery/slack/calls.ts WORKSPACE_LIMITED_METHODS), holds that method in every
 * channel instead, and releases it at a bounded pace (`methods`, outbox/method-hold): the
 * channel's other calls go on.
 *
 * A token bucket per channel. Pacing is per process: N replicas may together reach N× the rate
 * (Slack's own limit is generous for bursts, and 429s are honoured anyway).
 */
import { MethodHolds } from './method-hold.js';

export interface PacerOptions {
  /** Sustained calls per second per channel. */
  ratePerSecond: number;
  /** Calls allowed back to back before pacing starts. */
  burst: number;
  /** Spacing of a workspace-wide method's calls after its hold (default: method-hold's RELEASE_SPACING_MS). */
  methodReleaseSpacingMs?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  blockedUntil: number;
}

export class ChannelPacer {
  private readonly buckets = new Map<string, Bucket>();
  /** Workspace-wide methods held by a Retry-After in every channel, then released at a pace. */
  readonly methods: MethodHolds;
  private readonly now: () => number;

  constructor(private readonly opts: PacerOptions) {
    this.now = opts.now ?? Date.now;
    this.methods = new MethodHolds(this.now, opts.methodReleaseSpacingMs);
  }

  private bucket(key: string): Bucket {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.opts.burst, at: now, blockedUntil: 0 };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.ratePerSecond);
    b.at = now;
    return b;
  }

  /**
   * Take one call's token; answers how long (ms) to wait before making the call (0: now).
   * Reservations may run into debt, so items already claimed queue up behind each other.
   */
  reserve(key: string): number {
    const b = this.bucket(key);
    b.tokens -= 1;
    return this.waitFor(b);
  }

  /**
   * Take a token for each of `calls` calls if the last can be made within `maxWaitMs`, answering
   * each call's wait (as `reserve`, in order). Otherwise take nothing and answer `deferMs`, how
   * long until the channel's next free slot: a call that is not made must not push the
   * channel's later calls back.
   */
  reserveWithin(key: string, maxWaitMs: number, calls = 1): { waitsMs: number[] } | { deferMs: number } {
    const b = this.bucket(key);
    const waitsMs: number[] = [];
    for (let i = 0; i < calls; i++) {
      b.tokens -= 1;
      waitsMs.push(this.waitFor(b));
    }
    if (waitsMs.every((wait) => wait <= maxWaitMs)) return { waitsMs };
    b.tokens += calls;
    return { deferMs: waitsMs[0] ?? 0 };
  }

  /** How long after taking its token a call may be made: the bucket's debt, or a Retry-After hold. */
  private waitFor(b: Bucket): number {
    const paced = b.tokens >= 0 ? 0 : (-b.tokens / this.opts.ratePerSecond) * 1000;
    return Math.max(paced, b.blockedUntil - this.now());
  }

  /** Tokens taken for calls that were not made after all: later calls need not wait for them. */
  giveBack(key: string, calls = 1): void {
    const b = this.bucket(key);
    b.tokens = Math.min(this.opts.burst, b.tokens + calls);
  }

  /** How long (ms) the channel is still held by a Retry-After; 0 when it is not. */
  heldFor(key: string): number {
    const b = this.buckets.get(key);
    return b ? Math.max(0, b.blockedUntil - this.now()) : 0;
  }

  /**
   * The receiver asked us to wait (429 Retry-After): hold the whole channel. Also holds a
   * PagerDuty team's key (`pagerduty:<team>`) after a 429: it takes no tokens, only the hold.
   */
  backOff(key: string, ms: number): void {
    const b = this.bucket(key);
    b.blockedUntil = Math.max(b.blockedUntil, this.now() + ms);
  }

  /** Channels that must not be claimed now: out of tokens or backing off. Also forgets idle ones. */
  blockedKeys(): string[] {
    const now = this.now();
    const blocked: string[] = [];
    for (const key of [...this.buckets.keys()]) {
      const b = this.bucket(key);
      if (b.tokens < 1 || b.blockedUntil > now) blocked.push(key);
      else if (b.tokens >= this.opts.burst) this.buckets.delete(key);
    }
    return blocked;
  }
}
