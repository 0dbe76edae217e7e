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
 */
import type { ChannelState, SentPerSecond } from './channel-state.js';

const BUCKETS = 60;

/** Whether one more message may go out now; if so it is counted. Updates `s`'s counts either way. */
export function takeMessageSlot(s: ChannelState, now: number, windowMs: number, max: number): boolean {
  const width = windowMs / BUCKETS;
  const current = Math.floor(now / width);
  const oldest = current - BUCKETS + 1;
  const counts = countsSince(oldest, current, width, s);
  const free = sum(counts) < max;
  if (free) counts[BUCKETS - 1]! += 1;
  const first = counts.findIndex((n) => n > 0);
  let last = BUCKETS - 1;
  while (last > first && counts[last] === 0) last -= 1;
  const sent: SentPerSecond | undefined = first < 0 ? undefined : { from: (oldest + first) * width, counts: counts.slice(first, last + 1) };
  if (sent) s.sentPerSecond = sent;
  else delete s.sentPerSecond;
  // What a replica of the release before counts by (a fixed window from windowStart): the oldest
  // second counted and all the window holds. Read back here as nothing more than the counts.
  s.windowStart = sent?.from ?? now;
  s.windowCount = sum(counts);
  return free;
}

/** The messages counted in the buckets `oldest`…`current` (the last 60), oldest first. */
function countsSince(oldest: number, current: number, width: number, s: ChannelState): number[] {
  const counts = Array<number>(BUCKETS).fill(0);
  // A second ahead of this replica's clock (another replica's ran ahead) is counted as the current one.
  const add = (bucket: number, n: number) => {
    if (bucket >= oldest && n > 0) counts[Math.min(bucket, current) - oldest]! += n;
  };
  const stored = s.sentPerSecond;
  if (stored) {
    const from = Math.round(stored.from / width);
    stored.counts.forEach((n, i) => add(from + i, n));
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
