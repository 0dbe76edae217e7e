import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../config/matchers.js';
import type { RouteConfig, RoutingConfig, TeamConfig } from '../config/types.js';
import type { Target } from '../model/target.js';
import { targetKey } from '../model/target.js';
import { addRouteTargets, resolveRoutes } from './resolve-targets.js';

type RouteSpec = { matchers?: string[]; receivers: RouteConfig['receivers']; slackChannel?: string; continue?: boolean };

function team(name: string, opts: { slack?: string; pagerduty?: boolean; routes?: RouteSpec[] }): TeamConfig {
  const t: TeamConfig = {
    team: name,
    file: `routes/${name}.yaml`,
    owns: { namespaces: [], matchers: [] },
    dedup: { windowMs: 4 * 3600_000 },
    routes: (opts.routes ?? []).map((r, index) => ({
      index,
      matchers: (r.matchers ?? []).map(parseMatchers),
      receivers: r.receivers,
      ...(r.slackChannel ? { slackChannel: r.slackChannel } : {}),
      continue: r.continue ?? false,
    })),
    reports: [],
    maintenance: [],
  };
  if (opts.slack) t.slack = { channel: opts.slack };
  if (opts.pagerduty) t.pagerduty = { routingKeyEnv: `PD_${name.toUpperCase()}` };
  return t;
}

/** A team's PagerDuty target, with where its key is read (team() names the variable). */
const pagerDuty = (name: string): Target => ({ type: 'pagerduty', team: name, keySource: { routingKeyEnv: `PD_${name.toUpperCase()}` } });

function configOf(...teams: TeamConfig[]): RoutingConfig {
  return { fallbackTeam: 'platform', teams: new Map(teams.map((t) => [t.team, t])) };
}

const platform = team('platform', { slack: '#platform-alerts', pagerduty: true });

// The contract's payments example.
const payments = team('payments', {
  slack: '#payments-alerts',
  pagerduty: true,
  routes: [
    { matchers: ['severity="critical"'], receivers: ['pagerduty', 'slack'] },
    { matchers: ['severity=~"warning|info"'], receivers: ['slack'], slackChannel: '#payments-low' },
    { receivers: ['slack'] },
  ],
});
const config = configOf(platform, payments);

describe('resolveRoutes', () => {
  it('first matching route wins', () => {
    expect(resolveRoutes({ severity: 'critical' }, payments, config)).toEqual({
      team: 'payments',
      routes: [{ index: 0, matchers: ['severity="critical"'] }],
      targets: [
        pagerDuty('payments'),
        { type: 'slack', channel: '#payments-alerts' },
      ],
    });
  });

  it('uses the route channel override', () => {
    expect(resolveRoutes({ severity: 'info' }, payments, config)).toEqual({
      team: 'payments',
      routes: [{ index: 1, matchers: ['severity=~"warning|info"'] }],
      targets: [{ type: 'slack', channel: '#payments-low' }],
    });
  });

  it('a route without matchers is a catch-all', () => {
    expect(resolveRoutes({ severity: 'none' }, payments, config)).toEqual({
      team: 'payments',
      routes: [{ index: 2, matchers: [] }],
      targets: [{ type: 'slack', channel: '#payments-alerts' }],
    });
  });

  it('every matcher string of a route must match', () => {
    const t = team('prisons', {
      slack: '#prisons-alerts',
      routes: [{ matchers: ['severity="critical"', 'namespace=~".*-prod"'], receivers: ['slack'], slackChannel: '#prisons-urgent' }],
    });
    const cfg = configOf(platform, t);
    expect(resolveRoutes({ severity: 'critical', namespace: 'x-prod' }, t, cfg).targets).toEqual([{ type: 'slack', channel: '#prisons-urgent' }]);
    expect(resolveRoutes({ severity: 'critical', namespace: 'x-preprod' }, t, cfg).routes).toEqual([]);
  });

  it('continue: true keeps matching; targets are merged without duplicates, in order', () => {
    const t = team('prisons', {
      slack: '#prisons-alerts',
      pagerduty: true,
      routes: [
        { matchers: ['namespace=~"book-a-prison-visit-.*"'], receivers: ['slack'], slackChannel: '#visits-alerts', continue: true },
        { matchers: ['severity="critical"'], receivers: ['pagerduty', 'slack'], continue: true },
        { matchers: ['severity="critical"'], receivers: ['slack', 'pagerduty'] },
        { receivers: ['slack'], slackChannel: '#never-reached' },
      ],
    });
    const r = resolveRoutes({ namespace: 'book-a-prison-visit-prod', severity: 'critical' }, t, configOf(platform, t));
    expect(r.routes.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(r.targets).toEqual([
      { type: 'slack', channel: '#visits-alerts' },
      pagerDuty('prisons'),
      { type: 'slack', channel: '#prisons-alerts' },
    ]);
  });

  it('a continue route that is the only match still delivers', () => {
    const t = team('prisons', {
      slack: '#prisons-alerts',
      routes: [{ matchers: ['app="visits"'], receivers: ['slack'], slackChannel: '#visits-alerts', continue: true }, { matchers: ['x="y"'], receivers: ['slack'] }],
    });
    expect(resolveRoutes({ app: 'visits' }, t, configOf(platform, t)).targets).toEqual([{ type: 'slack', channel: '#visits-alerts' }]);
  });

  describe('no route matches: the alert is never dropped', () => {
    const routes: RouteSpec[] = [{ matchers: ['severity="critical"'], receivers: ['slack'], slackChannel: '#urgent' }];

    it('→ the team Slack channel', () => {
      const t = team('probation', { slack: '#probation-alerts', pagerduty: true, routes });
      expect(resolveRoutes({ severity: 'warning' }, t, configOf(platform, t))).toEqual({
        team: 'probation',
        routes: [],
        targets: [{ type: 'slack', channel: '#probation-alerts' }],
      });
    });

    it('→ the team PagerDuty when it has no Slack channel', () => {
      const t = team('oncall', { pagerduty: true });
      expect(resolveRoutes({}, t, configOf(platform, t)).targets).toEqual([pagerDuty('oncall')]);
    });

    it('→ the fallback team Slack channel when the team has neither', () => {
      const t = team('quiet', { routes });
      expect(resolveRoutes({ severity: 'info' }, t, configOf(platform, t))).toEqual({
        team: 'quiet',
        routes: [],
        targets: [{ type: 'slack', channel: '#platform-alerts' }],
      });
    });

    it('→ the fallback team PagerDuty as a last resort', () => {
      const pdOnly = team('platform', { pagerduty: true });
      const t = team('quiet', {});
      expect(resolveRoutes({}, t, configOf(pdOnly, t)).targets).toEqual([pagerDuty('platform')]);
    });
  });
});

describe('addRouteTargets (the per-alert path of a webhook)', () => {
  /** What the pipeline did before: the union of resolveRoutes' targets over the alerts, by key, in order. */
  const unionOfResolved = (alerts: Record<string, string>[], t: TeamConfig, cfg: RoutingConfig): Target[] => {
    const byKey = new Map<string, Target>();
    for (const labels of alerts) for (const target of resolveRoutes(labels, t, cfg).targets) if (!byKey.has(targetKey(target))) byKey.set(targetKey(target), target);
    return [...byKey.values()];
  };
  const added = (alerts: Record<string, string>[], t: TeamConfig, cfg: RoutingConfig): Target[] => {
    const into = new Map<string, Target>();
    for (const labels of alerts) addRouteTargets(labels, t, cfg, into);
    return [...into.values()];
  };

  it('gives the targets resolveRoutes gives, in the same order, for generated routes and alerts', () => {
    const routeSpec: fc.Arbitrary<RouteSpec> = fc.record({
      matchers: fc.array(fc.constantFrom('severity="critical"', 'severity=~"warning|info"', 'app="visits"', 'namespace=~".*-prod"', 'app!="visits"'), { maxLength: 2 }),
      receivers: fc.array(fc.constantFrom<'slack' | 'pagerduty'>('slack', 'pagerduty'), { minLength: 1, maxLength: 2 }),
      slackChannel: fc.option(fc.constantFrom('#a', '#b'), { nil: undefined }),
      continue: fc.boolean(),
    });
    const labels = fc.record(
      { severity: fc.constantFrom('critical', 'warning', 'info', 'none'), app: fc.constantFrom('visits', 'basket'), namespace: fc.constantFrom('x-prod', 'x-dev') },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(routeSpec, { maxLength: 4 }),
        fc.option(fc.constantFrom('#team'), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        fc.array(labels, { minLength: 1, maxLength: 5 }),
        (routes, slack, pagerduty, fallbackHasSlack, alerts) => {
          const t = team('quiet', { ...(slack ? { slack } : {}), pagerduty, routes });
          const cfg = configOf(fallbackHasSlack ? platform : team('platform', { pagerduty: true }), t);
          expect(added(alerts, t, cfg)).toEqual(unionOfResolved(alerts, t, cfg));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a reloaded config (a new object) gets its own targets', () => {
    const before = team('payments', { slack: '#old' });
    const after = team('payments', { slack: '#new' });
    expect(added([{}], before, configOf(platform, before))).toEqual([{ type: 'slack', channel: '#old' }]);
    expect(added([{}], after, configOf(platform, after))).toEqual([{ type: 'slack', channel: '#new' }]);
  });
});
