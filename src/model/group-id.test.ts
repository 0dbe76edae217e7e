import { describe, expect, it } from 'vitest';
import { pagerDutyDedupKey, stateGroupId, teamGroupId } from './group-id.js';

describe('teamGroupId', () => {
  it('is the same id every version has given (ids are database keys, API handles and PagerDuty dedup keys)', () => {
    expect(teamGroupId('payments', '{}:{alertname="x"}')).toBe('91cf0daf849f0034f8f8c65180050dee');
    expect(teamGroupId('tëam', 'ключ:{a="b"}')).toBe('469725dd4a9b1b8cbaea171581c094fc');
    expect(pagerDutyDedupKey(teamGroupId('', ''))).toBe('alertgate-6e340b9cffb37a989ca544e6bb780a2c');
  });

  it('keeps team and group key apart', () => {
    expect(teamGroupId('ab', 'c')).not.toBe(teamGroupId('a', 'bc'));
  });
});

describe('stateGroupId', () => {
  it('is teamGroupId, for the same pair asked again and for more pairs than it keeps', () => {
    expect(stateGroupId('payments', 'storm:#pay')).toBe(teamGroupId('payments', 'storm:#pay'));
    expect(stateGroupId('payments', 'storm:#pay')).toBe(teamGroupId('payments', 'storm:#pay'));
    expect(stateGroupId('ab', 'c')).not.toBe(stateGroupId('a', 'bc'));
    for (let i = 0; i < 5000; i++) expect(stateGroupId(`team-${i}`, 'maintenance')).toBe(teamGroupId(`team-${i}`, 'maintenance'));
    // After the bound cleared what it kept.
    expect(stateGroupId('payments', 'storm:#pay')).toBe(teamGroupId('payments', 'storm:#pay'));
  });
});
