import { describe, expect, it } from 'vitest';
import { emptyChannelState, readChannelState, type ChannelState } from './channel-state.js';
import { sentCounts, takeMessageSlot } from './message-window.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-27T10:00:00Z');
const at = (s: number) => T0 + s * 1000;

/** A channel state as the store hands it back: through its JSON annotation. */
const stored = (s: ChannelState): ChannelState => readChannelState({ commonAnnotations: { 'alertgate.storm': JSON.stringify(s) } } as never);

/** Run the messages (seconds after T0) through the window one stored state after another; whether each got a slot. */
function send(state: ChannelState, max: number, seconds: number[]): { state: ChannelState; taken: boolean[] } {
  const taken = seconds.map((s) => {
    state = stored(state);
    return takeMessageSlot(state, at(s), MINUTE, max);
  });
  return { state, taken };
}

describe('takeMessageSlot', () => {
  it('keeps at most 60 counts whatever the limit: a new group every 100 ms for three minutes under a limit of 1,000,000', () => {
    let state = emptyChannelState();
    const sizes: number[] = [];
    for (let k = 0; k < 1800; k++) {
      state = stored(state);
      expect(takeMessageSlot(state, at(k / 10), MINUTE, 1_000_000)).toBe(true);
      expect(sentCounts(state, MINUTE)!.counts.length).toBeLessThanOrEqual(60);
      if (k % 600 === 599) sizes.push(JSON.stringify(state).length);
    }
    // The seconds 120…179: ten each. What is stored stops growing once the first minute is full.
    expect(sentCounts(state, MINUTE)).toEqual({ from: at(120), counts: Array(60).fill(10) });
    expect(state.windowCount).toBe(600);
    expect(new Set(sizes).size).toBe(1);
  });

  it('counts a message for the rest of its second and the 59 after it', () => {
    const { taken } = send(emptyChannelState(), 1, [0.9, 59.99, 60]);
    expect(taken).toEqual([true, false, true]);
  });

  it('reads a state the release before stored (windowStart/windowCount, no per-second counts) as its count sent in windowStart’s second', () => {
    const old = JSON.parse(JSON.stringify({ ...emptyChannelState(), windowStart: at(0), windowCount: 2 })) as ChannelState;
    const { state, taken } = send(old, 3, [30, 40, 59.9, 60, 61]);
    // 2 stored + 30 s's fill the minute until the stored second leaves it at 60 s; then 30 s's and 60 s's count.
    expect(taken).toEqual([true, false, false, true, true]);
    expect(sentCounts(state, MINUTE)).toEqual({ from: at(30), counts: [1, ...Array(29).fill(0), 1, 1] });
    // Written for a replica of the release before: the oldest second counted and all the window holds.
    expect({ windowStart: state.windowStart, windowCount: state.windowCount }).toEqual({ windowStart: at(30), windowCount: 3 });
  });

  it('counts the messages a replica of the release before counted after this state was written', () => {
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
