import { describe, expect, it } from 'vitest';
import { MethodHolds, RELEASE_QUIET_MS } from './method-hold.js';

const SPACING = 1_000;

function holds() {
  let now = 0;
  const h = new MethodHolds(() => now, SPACING);
  return { h, advance: (ms: number) => (now += ms) };
}

/** chat.update held for `ms`, and that hold just ended: the release begins. */
function released(ms: number) {
  const held = holds();
  held.h.hold('chat.update', ms);
  held.advance(ms);
  return held;
}

describe('MethodHolds', () => {
  it('holds only the method it was told, and a shorter hold does not end a longer one', () => {
    const { h, advance } = holds();
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ waitMs: 0 });
    h.hold('chat.update', 2_000);
    expect(h.heldFor('chat.update')).toBe(2_000);
    expect(h.heldFor('chat.postMessage')).toBe(0);
    expect(h.reserveWithin('chat.postMessage', 5_000)).toEqual({ waitMs: 0 });
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ deferMs: 2_000 });
    h.hold('chat.update', 500);
    advance(1_500);
    expect(h.heldFor('chat.update')).toBe(500);
    advance(500);
    expect(h.heldFor('chat.update')).toBe(0);
  });

  it('releases the method one call per spacing after its hold; calls past the longest wait are told successive slots', () => {
    const { h, advance } = released(2_000);
    const waits = [1, 2, 3, 4, 5].map(() => h.reserveWithin('chat.update', 2_500));
    expect(waits).toEqual([{ waitMs: 0 }, { waitMs: 1_000 }, { waitMs: 2_000 }, { deferMs: 3_000 }, { deferMs: 4_000 }]);
    // The first one handed back comes for the slot it was told: still paced, not released at once.
    advance(3_000);
    expect(h.reserveWithin('chat.update', 2_500)).toEqual({ waitMs: 0 });
    expect(h.reserveWithin('chat.update', 2_500)).toEqual({ waitMs: 1_000 });
  });

  it('a new hold during the release holds again, and the release goes on after it', () => {
    const { h, advance } = released(1_000);
    h.reserveWithin('chat.update', 5_000);
    h.reserveWithin('chat.update', 5_000);
    h.hold('chat.update', 500);
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ deferMs: 500 });
    advance(500);
    // The slot taken before the new hold (at 1,000 ms from the first release) is still counted.
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ waitMs: 1_500 });
  });

  it('ends the release once the pace has gone unused for a quiet period: calls go as they come', () => {
    const { h, advance } = released(1_000);
    h.reserveWithin('chat.update', 5_000);
    advance(SPACING + RELEASE_QUIET_MS - 1);
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ waitMs: 0 });
    expect(h.reserveWithin('chat.update', 5_000)).toEqual({ waitMs: SPACING });
    // The pace's next free slot is two spacings on; a quiet period after it ends the release.
    advance(2 * SPACING + RELEASE_QUIET_MS);
    expect([1, 2, 3].map(() => h.reserveWithin('chat.update', 5_000))).toEqual([{ waitMs: 0 }, { waitMs: 0 }, { waitMs: 0 }]);
  });

  it('does not end the release while calls handed back may still come for their promised slots', () => {
    const { h, advance } = released(1_000);
    h.reserveWithin('chat.update', 0);
    // Seventy calls handed back, promised slots up to 70 s on.
    for (let i = 0; i < 70; i++) expect(h.reserveWithin('chat.update', 0)).toEqual({ deferMs: (i + 1) * SPACING });
    // A quiet period since the pace's last slot, but not since the last promise: still paced.
    advance(SPACING + RELEASE_QUIET_MS);
    expect(h.reserveWithin('chat.update', 0)).toEqual({ waitMs: 0 });
    expect(h.reserveWithin('chat.update', 0)).toHaveProperty('deferMs');
  });
});
