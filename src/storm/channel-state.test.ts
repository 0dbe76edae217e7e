import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord } from '../store/store.js';
import { channelPseudoGroup, emptyChannelState, readChannelState, type ChannelState } from './channel-state.js';
import { emptyTally } from './digest-tally.js';

const NOW = new Date('2026-11-27T10:00:00Z');

/** The channel's record as storm control writes it for `state`. */
const written = (state: ChannelState, channel = '#payments-alerts'): GroupRecord => pseudoGroupRecord(channelPseudoGroup('payments', channel, state), undefined, NOW);

const textOf = (record: GroupRecord): string => record.commonAnnotations['alertgate.storm']!;

/** The same record, as a store hands back the text another replica (or an older write) left there. */
const storedAs = (record: GroupRecord, text: string): GroupRecord => ({ ...record, commonAnnotations: { 'alertgate.storm': text } });

/** What reading the text means (the stored JSON over an empty state), with no help from what this process wrote. */
const parsed = (text: string): ChannelState => ({ ...emptyChannelState(), ...(JSON.parse(text) as ChannelState) });

/** Structure beyond toStrictEqual's: key order (it decides the next write's text) and which objects lack a prototype. */
function shape(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return Object.is(v, -0) ? '-0' : v;
  if (Array.isArray(v)) return v.map(shape);
  return { proto: Object.getPrototypeOf(v) === null ? 'null' : 'Object', entries: Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])]) };
}

function aStormState(): ChannelState {
  const s = emptyChannelState();
  Object.assign(s, { sentPerSecond: '29930410:29930412:4:3,,1', windowStart: 29930410 * 1000, windowCount: 5, active: true, stormStartedAt: 1_795_778_539_000, lastDigestAt: 1_795_778_540_000 });
  s.tally.groups = 3;
  s.tally.firing = 2;
  s.tally.alertnames.KubePodCrashLooping = 3;
  s.tally.severities.warning = 3;
  s.earlier = [{ storm: 1_795_778_000_000, endedAt: 1_795_778_100_000, tally: { ...emptyTally(), groups: 1, firing: 1, alertnames: { A: 1 }, severities: { none: 1 } }, ownRecord: true }];
  s.pagesOwed = [{ storm: 1_795_777_000_000, after: 'ab12' }];
  return s;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('readChannelState of a state this process wrote', () => {
  it('does not parse the text again: the next webhook reads the state the last one wrote', () => {
    const record = written(aStormState());
    const parse = vi.spyOn(JSON, 'parse');
    readChannelState(record);
    readChannelState(storedAs(record, `${textOf(record)}`.slice(0)));
    expect(parse.mock.calls.filter(([text]) => text === textOf(record))).toEqual([]);
  });

  it('reads it as the stored text says, for any state: values, key order, prototypes', () => {
    const counts = fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10'), fc.string()), fc.nat(), { maxKeys: 4 });
    const tally = fc.record(
      { groups: fc.nat(), firing: fc.nat(), alertnames: counts, severities: counts, legacyMembers: fc.constantFrom('0123456789abcdef+', 'fedcba9876543210-') },
      { requiredKeys: ['groups', 'firing', 'alertnames', 'severities'] },
    );
    const time = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 ** 42 }), fc.double({ noNaN: true }));
    const state = fc.record(
      {
        sentPerSecond: fc.string(),
        windowStart: fc.oneof(fc.double(), fc.constant(-0)),
        windowCount: fc.nat(),
        active: fc.boolean(),
        stormStartedAt: time,
        lastDigestAt: time,
        endedAt: time,
        tally,
        ownRecord: fc.constant(true as const),
        earlier: fc.array(fc.record({ storm: fc.nat(), endedAt: time, tally, ownRecord: fc.constant(true as const) }, { requiredKeys: ['storm', 'endedAt', 'tally'] }), { maxLength: 3 }),
        pagesOwed: fc.array(fc.record({ storm: fc.nat(), after: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['storm'] }), { maxLength: 3 }),
      },
      // No tally: read as an empty one (no prototype), as from a state of any shape the store might hold.
      { requiredKeys: ['windowStart', 'windowCount', 'active', 'stormStartedAt', 'lastDigestAt', 'endedAt'] },
    );
    // A tally built by this process has no prototype (emptyTally); one read back has.
    const nullProto = fc.boolean();
    fc.assert(
      fc.property(state, nullProto, (s, bare) => {
        if (bare && s.tally) s.tally = Object.assign(emptyTally(), s.tally, { alertnames: Object.assign(Object.create(null), s.tally.alertnames), severities: Object.assign(Object.create(null), s.tally.severities) });
        const record = written(s as ChannelState);
        const read = readChannelState(record);
        expect(read).toStrictEqual(parsed(textOf(record)));
        expect(shape(read)).toEqual(shape(parsed(textOf(record))));
        // The same JSON in another text (another replica's, say) is parsed: to the same state.
        const other = readChannelState(storedAs(record, `${textOf(record)} `));
        expect(other).toStrictEqual(read);
        expect(shape(other)).toEqual(shape(read));
      }),
      { numRuns: 300 },
    );
  });

  it('reads what was written, not what the state became after', () => {
    const s = aStormState();
    const record = written(s);
    s.windowCount = 99;
    s.tally.alertnames.KubePodCrashLooping = 99;
    s.earlier![0]!.tally.firing = 0;
    s.pagesOwed![0]!.after = 'ff';
    expect(readChannelState(record)).toStrictEqual(parsed(textOf(record)));
  });

  it('hands out a state of its own each time: changing one changes neither the next read nor what is stored', () => {
    const record = written(aStormState());
    const first = readChannelState(record);
    first.windowCount += 1;
    first.tally.firing -= 1;
    first.tally.alertnames.Other = 1;
    first.earlier![0]!.tally.alertnames.A = 7;
    first.earlier!.push({ storm: 1, endedAt: null, tally: emptyTally() });
    first.pagesOwed![0]!.after = 'ff';
    const second = readChannelState(record);
    expect(second).toStrictEqual(parsed(textOf(record)));
    expect(second).not.toBe(first);
  });

  it('reads another text for the same channel (another replica wrote it, or the write was refused) as that text says', () => {
    const ours = written(aStormState());
    const theirs = aStormState();
    theirs.windowCount = 41;
    theirs.active = false;
    const theirText = JSON.stringify(theirs);
    expect(readChannelState(storedAs(ours, theirText))).toStrictEqual(parsed(theirText));
    // And back: the text this process wrote (a later read finds it again) still reads as written.
    expect(readChannelState(ours)).toStrictEqual(parsed(textOf(ours)));
  });

  it('reads a state stored before the digest was kept as counts (a legacy digest) by its entries', () => {
    const legacy = { ...aStormState(), tally: undefined, digest: { ['a'.repeat(32)]: { alertname: 'A', severity: 'none', status: 'firing' } } };
    const read = readChannelState(storedAs(written(emptyChannelState()), JSON.stringify(legacy)));
    expect(read.tally.groups).toBe(1);
    expect(read.tally.firing).toBe(1);
    expect('digest' in read).toBe(false);
  });
});
