/**
 * @module outbox/receiver-shares
 * How many of the worker's delivery slots each receiver (Slack, PagerDuty) may fill now. While
 * both have items due, each may hold `share` slots (OUTBOX_RECEIVER_CONCURRENCY), so a receiver
 * whose calls hang until the timeout cannot hold up the other. While one has nothing due, the
 * other may hold `aloneShare` (all slots but one, kept for the idle one's next item), so a drain
 * of one receiver's backlog loses one slot, not half.
 *
 * The worker tells it what happens (deliveries started and ended, claims, offers settled, new
 * work); the answers that return `true` mean "claim again now": items were left due for want of
 * room that has since come free.
 */
import { RECEIVER_TYPES, type ReceiverType } from '../model/target.js';

export type Room = Record<ReceiverType, number>;

const other = (r: ReceiverType): ReceiverType => (r === 'slack' ? 'pagerduty' : 'slack');
const perReceiver = <T>(value: T): Record<ReceiverType, T> => ({ slack: value, pagerduty: value });

export class ReceiverShares {
  private readonly inFlight = perReceiver(0);
  /**
   * The last claim found none of the receiver's items due, and nothing was written or came due
   * since (`newWork` clears it): the other receiver may use its `aloneShare`.
   */
  private readonly idle = perReceiver(false);
  /** A claim left items of the receiver due because its room was full. */
  private readonly passedOver = perReceiver(false);

  constructor(
    private readonly share: number,
    private readonly aloneShare: number,
  ) {}

  /**
   * How many more deliveries each receiver may start. Each of the `reserved` open offers may yet
   * lease an item of either receiver, so each counts against both.
   */
  room(reserved: number): Room {
    const room = (r: ReceiverType) => (this.idle[other(r)] ? this.aloneShare : this.share) - this.inFlight[r] - reserved;
    return { slack: room('slack'), pagerduty: room('pagerduty') };
  }

  started(receiver: ReceiverType): void {
    this.inFlight[receiver] += 1;
  }

  /** A delivery ended; true when an earlier claim passed the receiver's items over for want of this slot. */
  ended(receiver: ReceiverType): boolean {
    this.inFlight[receiver] -= 1;
    return this.freed(receiver);
  }

  /** An offer settled, giving its room back to both receivers. */
  offerSettled(): boolean {
    return RECEIVER_TYPES.map((r) => this.freed(r)).some(Boolean);
  }

  /** Items may have been written or come due for either receiver: both shares apply again. */
  newWork(): void {
    this.idle.slack = false;
    this.idle.pagerduty = false;
  }

  /**
   * A claim for `free` slots with `room` (as `room` answered) took `claimed` items of each
   * receiver. True when it left items due that may be claimed at once: one receiver turned out
   * idle while the other's room had cut the claim short.
   */
  claimed(free: number, room: Room, claimed: Record<ReceiverType, number>): boolean {
    const total = claimed.slack + claimed.pagerduty;
    const wasIdle = { ...this.idle };
    for (const r of RECEIVER_TYPES) {
      // Its room cut the claim short: more of its items may wait for a slot of its own.
      if (room[r] < free && claimed[r] >= room[r]) this.passedOver[r] = true;
      // Fewer than it had room for, and the limit cut nothing: none of its items is left due.
      else if (total < free && claimed[r] < Math.min(free, room[r])) this.idle[r] = true;
    }
    return RECEIVER_TYPES.some((r) => this.idle[r] && !wasIdle[r] && this.passedOver[other(r)]);
  }

  private freed(receiver: ReceiverType): boolean {
    if (!this.passedOver[receiver]) return false;
    this.passedOver[receiver] = false;
    return true;
  }
}
