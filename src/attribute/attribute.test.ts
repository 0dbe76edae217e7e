import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../config/matchers.js';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import { attribute, createAttributor } from './attribute.js';

function team(name: string, owns: { namespaces?: string[]; matchers?: string[] } = {}): TeamConfig {
  return {
    team: name,
    file: `routes/${name}.yaml`,
    owns: { namespaces: owns.namespaces ?? [], matchers: (owns.matchers ?? []).map(parseMatchers) },
    slack: { channel: `#${name}-alerts` },
    dedup: { windowMs: 4 * 3600_000 },
    routes: [],
    reports: [],
    maintenance: [],
  };
}

// Insertion order deliberately not sorted: matcher attribution must follow team-name order.
const config: RoutingConfig = {
  fallbackTeam: 'platform',
  teams: new Map(
    [
      team('prisons', { namespaces: ['prisoner-offender-search-prod'], matchers: ['app=~"prisoner-.*"', 'service="shared"'] }),
      team('payments', { namespaces: ['payments-prod', 'payments-staging'], matchers: ['service=~"checkout|basket"', '{service="shared"}'] }),
      team('platform', { namespaces: ['monitoring', 'kube-system'] }),
    ].map((t) => [t.team, t]),
  ),
};

describe('attribute', () => {
  it.each([
    // 1. a team label naming a known team wins over everything else
    [{ team: 'prisons', namespace: 'payments-prod', service: 'checkout' }, { team: 'prisons', attributedBy: 'team-label' }],
    // … but a team label naming no team is ignored
    [{ team: 'unknown-team', namespace: 'payments-prod' }, { team: 'payments', attributedBy: 'namespace' }],
    // 2. the namespace label, over owns.matchers of another team
    [{ namespace: 'prisoner-offender-search-prod', service: 'checkout' }, { team: 'prisons', attributedBy: 'namespace' }],
    [{ namespace: 'kube-system' }, { team: 'platform', attributedBy: 'namespace' }],
    // 3. owns.matchers when the namespace has no owner; any of a team's strings may match
    [{ namespace: 'default', service: 'basket' }, { team: 'payments', attributedBy: 'matchers' }],
    [{ app: 'prisoner-visits' }, { team: 'prisons', attributedBy: 'matchers' }],
    // … two teams match: the first in team-name order wins (payments < prisons)
    [{ service: 'shared' }, { team: 'payments', attributedBy: 'matchers' }],
    // 4. nobody owns it: the fallback team
    [{ namespace: 'brand-new-ns', alertname: 'KubePodCrashLooping' }, { team: 'platform', attributedBy: 'fallback' }],
    [{}, { team: 'platform', attributedBy: 'fallback' }],
  ])('%j → %j', (labels, expected) => {
    expect(attribute(labels, config)).toEqual(expected);
    expect(createAttributor(config)(labels)).toEqual(expected);
  });

  it('is not fooled by labels named like Object.prototype members', () => {
    expect(attribute({ team: 'constructor', namespace: 'toString' }, config)).toEqual({ team: 'platform', attributedBy: 'fallback' });
  });

  it('matches owns.matchers on a label named __proto__, as a parsed webhook holds it (an own key)', () => {
    const withProbation = { ...config, teams: new Map([...config.teams, ['probation', team('probation', { matchers: ['__proto__="evil"'] })]]) };
    const labels = JSON.parse('{"__proto__":"evil","namespace":"nobody"}') as Record<string, string>;
    expect(attribute(labels, withProbation)).toEqual({ team: 'probation', attributedBy: 'matchers' });
    expect(attribute(JSON.parse('{"__proto__":"good","namespace":"nobody"}') as Record<string, string>, withProbation)).toEqual({ team: 'platform', attributedBy: 'fallback' });
  });

  it('uses the fallback team configured in the config', () => {
    const other = { ...config, fallbackTeam: 'prisons' };
    expect(attribute({ namespace: 'nobody' }, other)).toEqual({ team: 'prisons', attributedBy: 'fallback' });
  });
});
