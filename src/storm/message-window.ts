/**
 * @module storm/message-window
 * Whether a channel may get one more new-group message of its own: fewer than
 * `storm.maxMessagesPerMinute` went out within the last minute (the counting window). The window
 * slides: a fixed one, restarted by the first message after it ran out, let a flood straddling its
 * turn post twice the limit within seconds before a storm began.
 *
 * The channel's state counts the messages per sixtieth of the window (a second), at most 61
 * counts whatever the limit: every webhook reads and rewrites that state, and keeping each
 * message's time made a channel with a large limit pay for it on every one (fdb565c). A message is
 * counted while its second is one of the last 61, the current one included: for 60 to 61 s, so
 * that no 60 s ever hold more than the limit (BUCKETS says why 61).
 *
 * The counts are written as one string, "<oldest bucket>:<newest bucket>:<total>:<counts, oldest
 * first>" with an empty count for none ("29930410:29930412:4:3,,1"): as numbers of an object
 * (bucket times too large for V8's small integers among them) they tripled what the state's JSON
 * cost on every webhook. They are written only when a second has passed. A message in the newest
 * second only moves `windowCount` (all the window holds, which a replica of the fixed-window
 * release counts by too): what it holds beyond the string's total was sent in the string's newest
 * second.
 * In a flood, that is nearly every message, and it leaves the string as it was.
 */
import type { ChannelState } from './channel-state.js';

/** A bucket is this fraction of the window: a second of a minute. */
const PER_WINDOW = 60;
/**
 * The buckets counted: the current one and the 60 before it. A message in second b may have gone
 * out just before b + 1, so a later one is within 60 s of it up to just before b + 61, in second
 * b + 60: it must still count there. With the 60 buckets of the release before, it stopped
 * counting at b + 60, as little as 59 s after it went out, and a flood at the end of a second and
 * one 59.1 s later could post twice the limit within a minute. Whole seconds cannot be exact both
 * ways: with 61 a message counts for 60 to 61 s (at most a second longer than the limit asks);
 * finer buckets would cost more counts in the state every webhook reads and rewrites.
 *
 * A replica of the release before (60 buckets) reading a string of 61 counts: its quick way
 * (newest second is its current one) compares windowCount, which holds the oldest count too, so
 * it counts more; its slow way skips counts older than its 60 seconds, as it did its own, and
 * writes at most 60, which this release reads as any. So it never counts fewer than it did on its
 * own (message-window.test.ts runs that release's code on these states). A replica of the
 * fixed-window release before that restarts its count a minute after windowStart, the oldest
 * second counted, which may now be 60 s back rather than 59: its window, which forgets everything
 * when it runs out, runs out up to a second sooner.
 */
const BUCKETS = PER_WINDOW + 1;

/** Whether one more message may go out now; if so it is counted. Updates `s`'s counts either way. */
export function takeMessageSlot(s: ChannelState, now: number, windowMs: number, max: number): boolean {
  const width = windowMs / PER_WINDOW;
  const current = Math.floor(now / width);
  const head = s.sentPerSecond === undefined ? undefined : readHead(s.sentPerSecond);
  if (head && head.newest === current && ownCount(s, head, width)) {
    // Nothing has left the window since the counts were written (their newest second is this one).
    const free = s.windowCount < max;
    if (free) s.windowCount += 1;
    return free;
  }
  const oldest = current - BUCKETS + 1;
  const counts = countsSince(oldest, current, width, s, head);
  const free = sum(counts) < max;
  if (free) counts[BUCKETS - 1]! += 1;
  // Some bucket holds a message: this one's, or (no room) those that filled the window. Kept up
  // to the current bucket, so that the next message in it takes the quick way above.
  const kept = counts.slice(counts.findIndex((n) => n > 0));
  const total = sum(kept);
  const first = current - kept.length + 1;
  s.sentPerSecond = `${first}:${current}:${total}:${kept.map((n) => (n === 0 ? '' : String(n))).join(',')}`;
  // What a replica of the fixed-window release counts by (a window from windowStart): the oldest
  // bucket counted and all the window holds.
  s.windowStart = first * width;
  s.windowCount = total;
  return free;
}

/** The per-bucket counts of `s` (oldest first, from `from` ms), for tests. */
export function sentCounts(s: ChannelState, windowMs: number): { from: number; counts: number[] } | undefined {
  const width = windowMs / PER_WINDOW;
  const head = s.sentPerSecond === undefined ? undefined : readHead(s.sentPerSecond);
  if (!head) return undefined;
  const counts = storedCounts(s.sentPerSecond!, head);
  if (ownCount(s, head, width)) counts[counts.length - 1]! += s.windowCount - head.total;
  return { from: head.oldest * width, counts };
}

interface Head {
  oldest: number;
  newest: number;
  total: number;
  /** Where the counts start in the string. */
  countsAt: number;
}

function readHead(text: string): Head | undefined {
  const a = text.indexOf(':');
  const b = text.indexOf(':', a + 1);
  const c = text.indexOf(':', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  return { oldest: Number(text.slice(0, a)), newest: Number(text.slice(a + 1, b)), total: Number(text.slice(b + 1, c)), countsAt: c + 1 };
}

function storedCounts(text: string, head: Head): number[] {
  return text.slice(head.countsAt).split(',').map(Number);
}

/**
 * `windowStart`/`windowCount` are as this release (or the one of 60 counts) left them: the start
 * of the string's oldest second, and at least its total (the rest sent in its newest second
 * since). A replica of the fixed-window release that restarted its window moved windowStart; one
 * that only counted more messages moved windowCount, and those count as sent in the newest
 * second, which keeps them longest (the safe side).
 */
function ownCount(s: ChannelState, head: Head, width: number): boolean {
  return s.windowStart === head.oldest * width && s.windowCount >= head.total;
}

/** The messages counted in the buckets `oldest`…`current` (the last 61), oldest first; `head` is `s`'s string's, read. */
function countsSince(oldest: number, current: number, width: number, s: ChannelState, head: Head | undefined): number[] {
  const counts = Array<number>(BUCKETS).fill(0);
  // A second ahead of this replica's clock (another replica's ran ahead) is counted as the current one.
  const add = (bucket: number, n: number) => {
    if (bucket >= oldest && n > 0) counts[Math.min(bucket, current) - oldest]! += n;
  };
  if (head) {
    storedCounts(s.sentPerSecond!, head).forEach((n, i) => add(head.oldest + i, n));
    if (ownCount(s, head, width)) {
      add(head.newest, s.windowCount - head.total);
      return counts;
    }
  }
  // The fixed-window release counted windowCount messages since windowStart, from a state it
  // stored or one whose window it restarted: those the counts lack are taken as sent in
  // windowStart's second, while it is within the window.
  const since = Math.min(Math.floor(s.windowStart / width), current);
  if (since >= oldest) add(since, s.windowCount - sum(counts.slice(since - oldest)));
  return counts;
}

function sum(counts: readonly number[]): number {
  let total = 0;
  for (const n of counts) total += n;
  return total;
}
