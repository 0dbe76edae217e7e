import { describe, expect, it } from 'vitest';
import { teamGroupId } from '../model/group-id.js';
import { addMember, emptyTally, memberStatus, setMemberStatus, tallyOfEntries } from './digest-tally.js';

const firing = (alertname: string, severity = 'warning') => ({ alertname, severity, status: 'firing' as const });

describe('digest tally', () => {
  it('counts groups, firing groups, alertnames and severities as groups are gathered and change', () => {
    const t = emptyTally();
    addMember(t, teamGroupId('payments', 'a'), firing('KubePodCrashLooping'));
    addMember(t, teamGroupId('payments', 'b'), firing('KubePodCrashLooping', 'critical'));
    addMember(t, teamGroupId('payments', 'c'), { alertname: 'TargetDown', severity: 'warning', status: 'resolved' });
    expect(t).toMatchObject({ groups: 3, firing: 2, alertnames: { KubePodCrashLooping: 2, TargetDown: 1 }, severities: { warning: 2, critical: 1 } });

    setMemberStatus(t, teamGroupId('payments', 'a'), 'resolved');
    setMemberStatus(t, teamGroupId('payments', 'a'), 'resolved');
    expect(t.firing).toBe(1);
    expect(memberStatus(t, teamGroupId('payments', 'a'))).toBe('resolved');
    setMemberStatus(t, teamGroupId('payments', 'c'), 'firing');
    expect(t.firing).toBe(2);
    expect(memberStatus(t, teamGroupId('payments', 'c'))).toBe('firing');
    expect(t.groups).toBe(3);
  });

  it('knows only the groups it gathered, whatever their ids look like', () => {
    const t = emptyTally();
    addMember(t, 'g10', firing('A'));
    addMember(t, teamGroupId('prisons', 'x'), firing('A'));
    expect(memberStatus(t, 'g10')).toBe('firing');
    expect(memberStatus(t, 'g1')).toBeUndefined();
    expect(memberStatus(t, 'g100')).toBeUndefined();
    expect(memberStatus(t, teamGroupId('prisons', 'y'))).toBeUndefined();
    // Changing a group that was not gathered changes nothing.
    setMemberStatus(t, 'g1', 'resolved');
    expect(t.firing).toBe(2);
  });

  it('counts alertnames that are also names of Object properties', () => {
    const t = emptyTally();
    for (const name of ['__proto__', 'constructor', 'toString', '__proto__']) addMember(t, name + '-group', firing(name));
    const parsed = JSON.parse(JSON.stringify(t)) as typeof t;
    addMember(parsed, 'another', firing('constructor'));
    expect(parsed.alertnames).toEqual(Object.fromEntries([['__proto__', 2], ['constructor', 2], ['toString', 1]]));
  });

  it('turns a digest stored as an entry per group into the same counts', () => {
    const legacy = {
      [teamGroupId('payments', 'a')]: firing('KubePodCrashLooping'),
      [teamGroupId('payments', 'b')]: { alertname: 'TargetDown', severity: 'critical', status: 'resolved' as const },
    };
    const t = tallyOfEntries(legacy);
    expect(t).toMatchObject({ groups: 2, firing: 1, alertnames: { KubePodCrashLooping: 1, TargetDown: 1 }, severities: { warning: 1, critical: 1 } });
    expect(memberStatus(t, teamGroupId('payments', 'b'))).toBe('resolved');
  });

  it('stores a member in 17 characters, whatever its alertname', () => {
    const t = emptyTally();
    for (let i = 0; i < 1000; i++) addMember(t, teamGroupId('payments', `g${i}`), firing(`A${i % 10}`));
    expect(t.members).toHaveLength(17_000);
  });
});
