/**
 * @module storm/previous-message-window.case
 * The message window of the release before 61 counts (at HEAD b4f17a4, src/storm/message-window.ts,
 * unchanged below this header): at most 60 per-second counts, a message counted for 59 to 60 s.
 * Kept for the rolling-upgrade tests in message-window.test.ts, which hand the states this release
 * writes to a replica of that one. Not built (tsconfig.build.json leaves out *.case.ts).
 */
import type { ChannelState } from './channel-state.js';

const BUCKETS = 60;

/** Whether one more message may go out now; if so it is counted. Updates `s`'s counts either way. */
export function takeMessageSlot(s: ChannelState, now: number, windowMs: number, max: number): boolean {
  const width = windowMs / BUCKETS;
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
  // What a replica of the release before counts by (a fixed window from windowStart): the oldest
  // bucket counted and all the window holds.
  s.windowStart = first * width;
  s.windowCount = total;
  return free;
}

/** The per-bucket counts of `s` (oldest first, from `from` ms), for tests. */
export function sentCounts(s: ChannelState, windowMs: number): { from: number; counts: number[] } | undefined {
  const width = windowMs / BUCKETS;
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
 * `windowStart`/`windowCount` are as this release left them: the start of the string's oldest
 * second, and at least its total (the rest sent in its newest second since). A replica of the
 * release before that restarted its fixed window moved windowStart; one that only counted more
 * messages moved windowCount, and those count as sent in the newest second, which keeps them
 * longest (the safe side).
 */
function ownCount(s: ChannelState, head: Head, width: number): boolean {
  return s.windowStart === head.oldest * width && s.windowCount >= head.total;
}

/** The messages counted in the buckets `oldest`…`current` (the last 60), oldest first; `head` is `s`'s string's, read. */
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
  // The release before counted windowCount messages since windowStart (a fixed window), from a
  // state it stored or one whose window it restarted: those the counts lack are taken as sent in
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
