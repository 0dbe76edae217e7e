/**
 * The in-process gate of group writes (no database): writes sharing a lock key take turns in
 * arrival order, others go on, the slots cap writes in flight, and a bounded wait gives up
 * holding nothing.
 */
import { describe, expect, it } from 'vitest';
import { GroupWriteBusyError, WriteGate } from './write-gate.js';

/** 'pending' unless the promise has settled once everything already queued has run. */
const state = (p: Promise<unknown>) =>
  Promise.race([p.then(() => 'entered', () => 'rejected'), new Promise((resolve) => setImmediate(() => resolve('pending')))]);

const HOUR = 3_600_000;

describe('WriteGate', () => {
  it('lets writes sharing a key in one at a time, in arrival order', async () => {
    const gate = new WriteGate(8, HOUR);
    const order: string[] = [];
    const leaveA = await gate.enter([1]);
    const b = gate.enter([1]).then((leave) => (order.push('b'), leave));
    const c = gate.enter([1]).then((leave) => (order.push('c'), leave));
    expect([await state(b), await state(c)]).toEqual(['pending', 'pending']);
    expect(gate.stats()).toEqual({ writing: 1, waiting: 2 });
    leaveA();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(gate.stats()).toEqual({ writing: 0, waiting: 0 });
  });

  it('lets writes of other keys in at once, and a write of several keys waits for the one it shares', async () => {
    const gate = new WriteGate(8, HOUR);
    const leave12 = await gate.enter([1, 2]);
    const other = gate.enter([3]);
    const sharing = gate.enter([2, 3]);
    expect(await state(other)).toBe('entered');
    expect(await state(sharing)).toBe('pending');
    (await other)();
    expect(await state(sharing)).toBe('pending');
    leave12();
    expect(await state(sharing)).toBe('entered');
  });

  it('caps the writes in flight at its slots, whatever their keys', async () => {
    const gate = new WriteGate(2, HOUR);
    const [l1] = [await gate.enter([1]), await gate.enter([2])];
    const third = gate.enter([3]);
    expect(await state(third)).toBe('pending');
    expect(gate.stats()).toEqual({ writing: 2, waiting: 1 });
    l1!();
    expect(await state(third)).toBe('entered');
  });

  it('gives up after its bound holding nothing, and is never let in afterwards', async () => {
    const gate = new WriteGate(1, 20);
    const leaveA = await gate.enter([1]);
    // Waits for key 1; another waits for the slot while holding key 2.
    const [sameKey, forSlot] = await Promise.allSettled([gate.enter([1]), gate.enter([2])]);
    expect(sameKey).toMatchObject({ status: 'rejected', reason: expect.any(GroupWriteBusyError) });
    expect(forSlot).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/^timed out after 20 ms waiting/) } });
    expect(gate.stats()).toEqual({ writing: 1, waiting: 0 });
    // Key 2 was given back when its write gave up.
    leaveA();
    const leaveB = await gate.enter([2]);
    expect(gate.stats()).toEqual({ writing: 1, waiting: 0 });
    leaveB();
    leaveB(); // twice is once
    expect(gate.stats()).toEqual({ writing: 0, waiting: 0 });
    expect(await state(gate.enter([1, 2]))).toBe('entered');
  });
});
