import { describe, expect, it } from 'vitest';
import { teamGroupId } from '../model/group-id.js';
import { countChange, countGathered, emptyTally, forgetLegacyMember, legacyMemberStatus, setLegacyMemberStatus, tallyOfEntries } from './digest-tally.js';

const firing = (alertname: string, severity = 'warning') => ({ alertname, severity, status: 'firing' as const });

describe('digest tally', () => {
  it('counts groups, firing groups, alertnames and severities as groups are gathered and change', () => {
    const t = emptyTally();
    countGathered(t, firing('KubePodCrashLooping'));
    countGathered(t, firing('KubePodCrashLooping', 'critical'));
    countGathered(t, { alertname: 'TargetDown', severity: 'warning', status: 'resolved' });
    expect(t).toMatchObject({ groups: 3, firing: 2, alertnames: { KubePodCrashLooping: 2, TargetDown: 1 }, severities: { warning: 2, critical: 1 } });
    countChange(t, 'firing', 'resolved');
    countChange(t, 'resolved', 'resolved');
    expect(t.firing).toBe(1);
    countChange(t, 'resolved', 'firing');
    expect(t).toMatchObject({ groups: 3, firing: 2 });
  });

  it('counts alertnames that are also names of Object properties', () => {
    const t = emptyTally();
    for (const name of ['__proto__', 'constructor', 'toString', '__proto__']) countGathered(t, firing(name));
    const parsed = JSON.parse(JSON.stringify(t)) as typeof t;
    countGathered(parsed, firing('constructor'));
    expect(parsed.alertnames).toEqual(Object.fromEntries([['__proto__', 2], ['constructor', 2], ['toString', 1]]));
  });

  it('turns a digest stored as an entry per group into the same counts, and keeps its members', () => {
    const a = teamGroupId('payments', 'a');
    const b = teamGroupId('payments', 'b');
    const t = tallyOfEntries({ [a]: firing('KubePodCrashLooping'), [b]: { alertname: 'TargetDown', severity: 'critical', status: 'resolved' }, g10: firing('A') });
    expect(t).toMatchObject({ groups: 3, firing: 2, alertnames: { KubePodCrashLooping: 1, TargetDown: 1, A: 1 }, severities: { warning: 2, critical: 1 } });
    expect(t.legacyMembers).toHaveLength(3 * 17);
    expect(legacyMemberStatus(t, a)).toBe('firing');
    expect(legacyMemberStatus(t, b)).toBe('resolved');
    expect(legacyMemberStatus(t, 'g10')).toBe('firing');
    // Ids that are not members, including ones that share a prefix with a member's.
    expect(legacyMemberStatus(t, 'g1')).toBeUndefined();
    expect(legacyMemberStatus(t, teamGroupId('payments', 'c'))).toBeUndefined();

    setLegacyMemberStatus(t, a, 'resolved');
    setLegacyMemberStatus(t, b, 'firing');
    setLegacyMemberStatus(t, 'g1', 'resolved');
    expect(legacyMemberStatus(t, a)).toBe('resolved');
    expect(legacyMemberStatus(t, b)).toBe('firing');
    expect(t.firing).toBe(2);
    expect(t.groups).toBe(3);
  });

  it('forgets a member whose own message went out: no longer followed, no longer counted as firing', () => {
    const a = teamGroupId('payments', 'a');
    const b = teamGroupId('payments', 'b');
    const t = tallyOfEntries({ [a]: firing('KubePodCrashLooping'), [b]: { alertname: 'TargetDown', severity: 'critical', status: 'resolved' } });
    expect(forgetLegacyMember(t, a)).toBe(true);
    expect(legacyMemberStatus(t, a)).toBeUndefined();
    expect(legacyMemberStatus(t, b)).toBe('resolved');
    expect(t).toMatchObject({ groups: 2, firing: 0 });
    // A resolved member leaves the counts as they were; the last one leaves no members behind.
    expect(forgetLegacyMember(t, b)).toBe(false);
    expect(forgetLegacyMember(t, a)).toBe(false);
    expect(t.legacyMembers).toBeUndefined();
  });

  it('keeps no members of its own for digests written since', () => {
    const t = emptyTally();
    for (let i = 0; i < 1000; i++) countGathered(t, firing(`A${i % 10}`));
    expect(JSON.stringify(t).length).toBeLessThan(300);
    expect(legacyMemberStatus(t, teamGroupId('payments', 'a'))).toBeUndefined();
  });
});
