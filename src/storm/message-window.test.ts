import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyChannelState, readChannelState, type ChannelState } from './channel-state.js';
import { sentCounts, takeMessageSlot } from './message-window.js';
import { takeMessageSlot as previousTakeMessageSlot } from './previous-message-window.case.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-27T10:00:00Z');
const at = (s: number) => T0 + Math.round(s * 1000);

/** A channel state as the store hands it back: through its JSON annotation. */
const stored = (s: ChannelState): ChannelState => readChannelState({ commonAnnotations: { 'alertgate.storm': JSON.stringify(s) } } as never);

/** Run the messages (seconds after T0) through the window one stored state after another; whether each got a slot. */
function send(state: ChannelState, max: number, seconds: number[], take = takeMessageSlot): { state: ChannelState; taken: boolean[] } {
  const taken = seconds.map((s) => {
    state = stored(state);
    return take(state, at(s), MINUTE, max);
  });
  return { state, taken };
}

/** How many messages `take` (this release's or the one of 60 counts) finds in the window at `t` ms: it takes one more with no limit, on a copy. */
function countedAt(take: typeof takeMessageSlot, state: ChannelState, t: number): number {
  const copy = stored(state);
  take(copy, t, MINUTE, Infinity);
  return copy.windowCount - 1;
}

describe('takeMessageSlot', () => {
  it('keeps at most 61 counts whatever the limit: a new group every 100 ms for three minutes under a limit of 1,000,000', () => {
    let state = emptyChannelState();
    const sizes: number[] = [];
    for (let k = 0; k < 1800; k++) {
      state = stored(state);
      expect(takeMessageSlot(state, at(k / 10), MINUTE, 1_000_000)).toBe(true);
      expect(sentCounts(state, MINUTE)!.counts.length).toBeLessThanOrEqual(61);
      if (k % 600 === 599 && k > 600) sizes.push(JSON.stringify(state).length);
    }
    // The seconds 119…179: ten each. What is stored stops growing once the first 61 s are full.
    expect(sentCounts(state, MINUTE)).toEqual({ from: at(119), counts: Array(61).fill(10) });
    expect(state.windowCount).toBe(610);
    expect(new Set(sizes).size).toBe(1);
  });

  it('counts a message for the rest of its second and the 60 after it', () => {
    const { taken } = send(emptyChannelState(), 1, [0.9, 60.99, 61]);
    expect(taken).toEqual([true, false, true]);
  });

  it('lets no 60 s hold more than the limit: a flood at the end of a second, then another 59.001 s later, is refused until 60.001 s later', () => {
    const { taken } = send(emptyChannelState(), 3, [0.999, 0.999, 0.999, 60, 60.999, 61]);
    // 60 s and 60.999 s are within 60 s of 0.999 s; 61 s is not.
    expect(taken).toEqual([true, true, true, false, false, true]);
  });

  it('never lets more than the limit out within any 60 s, and refuses a message only for those sent within the 61 s before it', () => {
    // Gaps (ms) of a burst, and of about the window's length, where its edge is.
    const gap = fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 58_000, max: 62_000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(gap, { minLength: 1, maxLength: 40 }), (max, gaps) => {
        let state = emptyChannelState();
        let t = T0;
        const sent: number[] = [];
        for (const g of gaps) {
          t += g;
          state = stored(state);
          const free = takeMessageSlot(state, t, MINUTE, max);
          if (free) sent.push(t);
          const within60 = sent.filter((s) => s >= t - MINUTE).length;
          const within61 = sent.filter((s) => s > t - MINUTE - 1000).length;
          if (free) expect(within60, `taken at +${t - T0} ms`).toBeLessThanOrEqual(max);
          else expect(within61, `refused at +${t - T0} ms`).toBeGreaterThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads a state the fixed-window release stored (windowStart/windowCount, no per-second counts) as its count sent in windowStart’s second', () => {
    const old = JSON.parse(JSON.stringify({ ...emptyChannelState(), windowStart: at(0), windowCount: 2 })) as ChannelState;
    const { state, taken } = send(old, 3, [30, 40, 59.9, 60, 61, 62]);
    // 2 stored + 30 s's fill the minute until the stored second leaves it at 61 s; then 30 s's and 61 s's count.
    expect(taken).toEqual([true, false, false, false, true, true]);
    expect(sentCounts(state, MINUTE)).toEqual({ from: at(30), counts: [1, ...Array(30).fill(0), 1, 1] });
    // Written for a replica of the fixed-window release: the oldest second counted and all the window holds.
    expect({ windowStart: state.windowStart, windowCount: state.windowCount }).toEqual({ windowStart: at(30), windowCount: 3 });
  });

  it('counts the messages a replica of the fixed-window release counted after this state was written', () => {
    const { state } = send(emptyChannelState(), 3, [0, 10]);
    // An old replica at 20 s: its fixed window (from 0 s) goes on, one more.
    const counted = send({ ...state, windowCount: state.windowCount + 1 }, 3, [21]);
    expect(counted.taken).toEqual([false]);
    // An old replica at 65 s: its window ran out, so it restarted it with its message; 10 s's still counts.
    const restarted = send({ ...state, windowStart: at(65), windowCount: 1 }, 3, [66, 67]);
    expect(restarted.taken).toEqual([true, false]);
    expect(restarted.state.windowCount).toBe(3);
  });

  it('counts the seconds a replica whose clock ran ahead wrote as the current one: they leave the window no sooner than they would have', () => {
    const ahead = send(emptyChannelState(), 3, [20, 30]).state;
    const { taken, state } = send(ahead, 3, [25, 81, 82]);
    // 30 s's message, counted in 25 s's second, is still within the window at 81 s and 82 s.
    expect(taken).toEqual([true, true, false]);
    // Counted up to the current second (82 s, refused: none), where the next message starts from.
    expect(sentCounts(state, MINUTE)).toEqual({ from: at(25), counts: [2, ...Array(55).fill(0), 1, 0] });
  });
});

describe('a rolling upgrade from the release of 60 counts (previous-message-window.case.ts)', () => {
  it('a replica of it reads the 61 counts written here: its quick way counts the oldest too; its slow way drops it, as it did its own', () => {
    // This release: 0.5 s's message is still counted at 60.2 s, so the string holds the seconds 0…60.
    const ours = send(emptyChannelState(), 3, [0.5, 59.5, 60.2]);
    expect(ours.taken).toEqual([true, true, true]);
    expect(sentCounts(ours.state, MINUTE)).toEqual({ from: at(0), counts: [1, ...Array(58).fill(0), 1, 1] });
    // That release, on its own, had let one more out at 60.5 s (0.5 s's had left its window).
    expect(send(emptyChannelState(), 3, [0.5, 59.5, 60.2, 60.5], previousTakeMessageSlot).taken).toEqual([true, true, true, true]);
    // On this release's state, still in the string's newest second, it counts all three and refuses.
    expect(send(ours.state, 3, [60.5], previousTakeMessageSlot).taken).toEqual([false]);
    // A second later it reads the string anew, without 0.5 s's (gone from this release's window too),
    // writes its own counts (59.5 s, 60.2 s, 61.5 s), which this release reads back: full until
    // 59.5 s's second leaves its 61.
    const theirs = send(ours.state, 3, [61.5], previousTakeMessageSlot);
    expect(theirs.taken).toEqual([true]);
    expect(send(theirs.state, 3, [62, 119.9, 120]).taken).toEqual([false, false, true]);
  });

  it('whichever replicas wrote a state, either release counts at least what the release of 60 counts counted on its own', () => {
    const step = fc.record({
      gap: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 58_000, max: 62_000 })),
      ours: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 62_000 }), (steps, later) => {
        let mixed = emptyChannelState();
        let before = emptyChannelState();
        let t = T0;
        for (const { gap, ours } of steps) {
          t += gap;
          mixed = stored(mixed);
          (ours ? takeMessageSlot : previousTakeMessageSlot)(mixed, t, MINUTE, Infinity);
          before = stored(before);
          previousTakeMessageSlot(before, t, MINUTE, Infinity);
        }
        const own = countedAt(previousTakeMessageSlot, before, t + later);
        expect(countedAt(previousTakeMessageSlot, mixed, t + later)).toBeGreaterThanOrEqual(own);
        expect(countedAt(takeMessageSlot, mixed, t + later)).toBeGreaterThanOrEqual(own);
      }),
      { numRuns: 500 },
    );
  });
});
