/**
 * @module outbox/slack-slots
 * The pacing slots of one Slack delivery: a token for each call it makes (an edit is two calls,
 * chat.update and its thread reply), so SLACK_CHANNEL_RATE counts calls, not deliveries. The
 * slots are reserved together, so a reply keeps its place in the channel's queue instead of
 * queueing behind deliveries claimed after its update, and its wait stays within the one the
 * lease allows for (env.ts: MAX_PACED_WAIT_MS, then the calls).
 */
import type { ChannelPacer } from './channel-pacer.js';

/**
 * The delivery's sleep: it ends early when the delivery is cut (its deadline, or shutdown), and
 * answers whether it ran its course.
 */
export type Pause = (ms: number) => Promise<boolean>;

export class SlackSlots {
  private readonly reservedAt = Date.now();
  /** Calls whose slot has come (the first included). */
  private started = 0;

  private constructor(
    private readonly pacer: ChannelPacer,
    private readonly key: string,
    private readonly waitsMs: readonly number[],
    private readonly pause: Pause,
  ) {}

  /**
   * Reserve a slot for each of `calls` calls if the last comes within `maxWaitMs`, and one of the
   * first call's `method` in the whole workspace (held after a 429, then released at a pace:
   * outbox/method-hold) if it comes within `maxWaitMs` too; the first call waits for both.
   * Otherwise nothing is taken and `deferMs` says when the channel, or the method, has a slot free.
   */
  static reserve(pacer: ChannelPacer, key: string, calls: number, method: string, maxWaitMs: number, pause: Pause): SlackSlots | { deferMs: number; why: string } {
    const slots = pacer.reserveWithin(key, maxWaitMs, calls);
    if ('deferMs' in slots) return { deferMs: slots.deferMs, why: 'channel paced' };
    const methodSlot = pacer.methods.reserveWithin(method, maxWaitMs);
    if ('deferMs' in methodSlot) {
      pacer.giveBack(key, calls);
      return { deferMs: methodSlot.deferMs, why: `${method} held in every channel by a Retry-After, or released at its pace` };
    }
    const waitsMs = slots.waitsMs.map((wait, i) => (i === 0 ? Math.max(wait, methodSlot.waitMs) : wait));
    return new SlackSlots(pacer, key, waitsMs, pause);
  }

  /**
   * Wait for the first call's slot. Answers how long the channel, or the first call's method
   * (`method`: in every channel), is still held by a Retry-After that came meanwhile (every slot
   * given back: no call may be made until it ends), else 0.
   */
  async first(method?: string): Promise<number> {
    await this.next();
    const held = Math.max(this.pacer.heldFor(this.key), method === undefined ? 0 : this.pacer.methods.heldFor(method));
    if (held > 0) {
      this.started = 0;
      this.release();
    }
    return held;
  }

  /** Wait for the next call's slot; a call beyond those reserved (a post replacing a deleted message) takes one of its own. */
  readonly next = async (): Promise<void> => {
    const planned = this.waitsMs[this.started];
    this.started += 1;
    const wait = planned === undefined ? this.pacer.reserve(this.key) : this.reservedAt + planned - Date.now();
    if (wait <= 0 || (await this.pause(wait))) return;
    // Cut while waiting: no call follows, so its slot is the channel's again.
    if (planned === undefined) this.pacer.giveBack(this.key);
    else this.started -= 1;
  };

  /** Give back the slots of calls not made (the first failed, or the delivery needed fewer). */
  release(): void {
    const unused = this.waitsMs.length - this.started;
    if (unused > 0) this.pacer.giveBack(this.key, unused);
    this.started = Math.max(this.started, this.waitsMs.length);
  }
}
