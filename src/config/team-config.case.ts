/**
 * @module config/team-config.case
 * A team's routing config for unit tests of the pipeline's stages (storm control, maintenance):
 * the payments team posting to #payments-alerts, with what a test sets on top.
 */
import type { RoutingConfig, TeamConfig } from './types.js';

export function paymentsTeam(overrides: Partial<TeamConfig> = {}): TeamConfig {
  return {
    team: 'payments',
    file: 'routes/payments.yaml',
    owns: { namespaces: [], matchers: [] },
    dedup: { windowMs: 3_600_000 },
    routes: [],
    reports: [],
    maintenance: [],
    slack: { channel: '#payments-alerts' },
    ...overrides,
  };
}

/** A routing config of one team, which is also the fallback team. */
export function routingOf(team: TeamConfig): RoutingConfig {
  return { teams: new Map([[team.team, team]]), fallbackTeam: team.team };
}
