import { describe, expect, it } from 'vitest';
import { ChannelPacer } from './channel-pacer.js';

function pacer() {
  let now = 0;
  const p = new ChannelPacer({ ratePerSecond: 1, burst: 3, now: () => now });
  return { p, advance: (ms: number) => (now += ms) };
}

describe('ChannelPacer', () => {
  it('allows a burst, then one call per second, queueing reservations', () => {
    const { p, advance } = pacer();
    expect([p.reserve('a'), p.reserve('a'), p.reserve('a')]).toEqual([0, 0, 0]);
    expect(p.reserve('a')).toBe(1000);
    expect(p.reserve('a')).toBe(2000);
    expect(p.blockedKeys()).toEqual(['a']);
    advance(3000);
    expect(p.blockedKeys()).toEqual([]);
    expect(p.reserve('a')).toBe(0);
  });

  it('takes no token for a call it answers to defer: a call never made does not slow the channel', () => {
    const { p, advance } = pacer();
    expect([p.reserve('a'), p.reserve('a'), p.reserve('a')]).toEqual([0, 0, 0]);
    expect(p.reserveWithin('a', 2000)).toEqual({ waitsMs: [1000] });
    expect(p.reserveWithin('a', 2000)).toEqual({ waitsMs: [2000] });
    // The next slot is 3 s away: deferred, and again, without moving that slot.
    expect(p.reserveWithin('a', 2000)).toEqual({ deferMs: 3000 });
    expect(p.reserveWithin('a', 2000)).toEqual({ deferMs: 3000 });
    advance(1000);
    expect(p.reserveWithin('a', 2000)).toEqual({ waitsMs: [2000] });
  });

  it('reserves a slot for each call of a delivery, in a row, or none', () => {
    const { p, advance } = pacer();
    expect(p.reserveWithin('a', 2000, 2)).toEqual({ waitsMs: [0, 0] });
    expect(p.reserveWithin('a', 2000, 2)).toEqual({ waitsMs: [0, 1000] });
    // The second call would wait 3 s: neither slot is taken.
    expect(p.reserveWithin('a', 2000, 2)).toEqual({ deferMs: 2000 });
    expect(p.reserveWithin('a', 2000)).toEqual({ waitsMs: [2000] });
    advance(3000);
    p.giveBack('a', 2);
    expect([p.reserve('a'), p.reserve('a'), p.reserve('a')]).toEqual([0, 0, 0]);
  });

  it('keeps channels independent', () => {
    const { p } = pacer();
    for (let i = 0; i < 4; i++) p.reserve('busy');
    expect(p.reserve('quiet')).toBe(0);
    expect(p.blockedKeys()).toEqual(['busy']);
  });

  it('holds a whole channel after a Retry-After, then releases it', () => {
    const { p, advance } = pacer();
    p.backOff('a', 30_000);
    expect(p.blockedKeys()).toEqual(['a']);
    expect(p.reserve('a')).toBe(30_000);
    advance(30_000);
    expect(p.blockedKeys()).toEqual([]);
  });

  it('tells how long a channel is still held, and takes back a token not used', () => {
    const { p, advance } = pacer();
    expect([p.reserve('a'), p.reserve('a'), p.reserve('a'), p.reserve('a')]).toEqual([0, 0, 0, 1000]);
    expect(p.heldFor('a')).toBe(0);
    p.backOff('a', 2_000);
    advance(500);
    expect(p.heldFor('a')).toBe(1_500);
    // The call that waited is not made: the next one need not wait behind it.
    p.giveBack('a');
    advance(1_500);
    expect(p.heldFor('a')).toBe(0);
    expect([p.reserve('a'), p.reserve('a')]).toEqual([0, 0]);
  });

  it('forgets idle channels so memory stays bounded', () => {
    const { p, advance } = pacer();
    p.reserve('a');
    advance(10_000);
    p.blockedKeys();
    expect((p as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(0);
  });

  it("holds a workspace-wide method in every channel without holding the channels' other calls", () => {
    const { p } = pacer();
    p.methods.hold('chat.update', 2_000);
    expect(p.methods.heldFor('chat.update')).toBe(2_000);
    expect([p.heldFor('a'), p.reserve('a')]).toEqual([0, 0]);
    expect(p.blockedKeys()).toEqual([]);
  });
});
