/**
 * @module storm/message-window
 * Whether a channel may get one more new-group message of its own: fewer than
 * `storm.maxMessagesPerMinute` went out within the last minute (the counting window). The window
 * slides: a fixed one, restarted by the first message after it ran out, let a flood straddling its
 * turn post twice the limit within seconds before a storm began.
 *
 * The channel's state counts the messages per sixtieth of the window (a second), at most 60
 * counts whatever the limit: every webhook reads and rewrites that state, and keeping each
 * message's time made a channel with a large limit pay for it on every one (fdb565c). A message is
 * counted while its second is one of the last 60, the current one included: for 59 to 60 s.
 *
 * The counts are stored as one string, "<oldest bucket>:<newest bucket>:<total>:<counts, oldest
 * first>" with an empty count for none ("29930410:29930412:4:3,,1"), not as numbers of an object: the bucket numbers and
 * times are too large for V8's small integers, and writing them as JSON on every webhook tripled
 * what the channel's state cost, while a string is copied as it is. A message in the newest
 * bucket counted only edits the string's head and tail (the usual case in a flood); the counts
 * are read one by one only when a bucket has passed.
 */
import type { ChannelState } from './channel-state.js';

const BUCKETS = 60;

/** Whether one more message may go out now; if so it is counted. Updates `s`'s counts either way. */
export function takeMessageSlot(s: ChannelState, now: number, windowMs: number, max: number): boolean {
  const width = windowMs / BUCKETS;
  const current = Math.floor(now / width);
  const stored = s.sentPerSecond === undefined ? undefined : readHead(s.sentPerSecond);
  if (stored && stored.newest === current && s.windowCount === stored.total && s.windowStart === stored.oldest * width) {
    // Nothing has left the window since the state was written (its newest bucket is this one),
    // and no replica of the release before counted since (windowStart and windowCount agree).
    const free = stored.total < max;
    if (free) countOneMore(s, stored);
    return free;
  }
  const oldest = current - BUCKETS + 1;
  const counts = countsSince(oldest, current, width, s);
  const free = sum(counts) < max;
  if (free) counts[BUCKETS - 1]! += 1;
  // Some bucket holds a message: this one's, or (no room) those that filled the window. Kept up
  // to the current bucket, so that the next message in it takes the quick way above.
  const kept = counts.slice(counts.findIndex((n) => n > 0));
  const total = sum(kept);
  const first = current - kept.length + 1;
  s.sentPerSecond = `${first}:${current}:${total}:${kept.map((n) => (n === 0 ? '' : String(n))).join(',')}`;
  // What a replica of the release before counts by (a fixed window from windowStart): the oldest
  // bucket counted and all the window holds. Read back here as nothing more than the counts.
  s.windowStart = first * width;
  s.windowCount = total;
  return free;
}

/** The per-bucket counts of `s` (oldest first, from `from` ms), for tests. */
export function sentCounts(s: ChannelState, windowMs: number): { from: number; counts: number[] } | undefined {
  if (s.sentPerSecond === undefined) return undefined;
  const { oldest, counts } = readAll(s.sentPerSecond);
  return { from: oldest * (windowMs / BUCKETS), counts };
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

function readAll(text: string): { oldest: number; counts: number[] } {
  const head = readHead(text);
  if (!head) return { oldest: 0, counts: [] };
  return { oldest: head.oldest, counts: text.slice(head.countsAt).split(',').map(Number) };
}

/** One more message in the newest bucket counted: only the total and the last count change. */
function countOneMore(s: ChannelState, head: Head): void {
  const text = s.sentPerSecond!;
  const cut = text.lastIndexOf(',') + 1 || head.countsAt;
  const newest = Number(text.slice(cut)) + 1;
  s.sentPerSecond = `${head.oldest}:${head.newest}:${head.total + 1}:${text.slice(head.countsAt, cut)}${newest}`;
  s.windowCount = head.total + 1;
}

/** The messages counted in the buckets `oldest`…`current` (the last 60), oldest first. */
function countsSince(oldest: number, current: number, width: number, s: ChannelState): number[] {
  const counts = Array<number>(BUCKETS).fill(0);
  // A second ahead of this replica's clock (another replica's ran ahead) is counted as the current one.
  const add = (bucket: number, n: number) => {
    if (bucket >= oldest && n > 0) counts[Math.min(bucket, current) - oldest]! += n;
  };
  if (s.sentPerSecond !== undefined) {
    const { oldest: from, counts: stored } = readAll(s.sentPerSecond);
    stored.forEach((n, i) => add(from + i, n));
  }
  // The release before counted windowCount messages since windowStart (a fixed window; no
  // sentPerSecond), and a replica of it may have counted some since this state was written:
  // those the counts lack are taken as sent in windowStart's second, while it is within the window.
  const since = Math.min(Math.floor(s.windowStart / width), current);
  if (since >= oldest) add(since, s.windowCount - sum(counts.slice(since - oldest)));
  return counts;
}

function sum(counts: readonly number[]): number {
  let total = 0;
  for (const n of counts) total += n;
  return total;
}
