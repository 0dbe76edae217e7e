/**
 * @module config/routing-keys
 * Routing keys of the live config, for the PagerDuty notifier (looked up at send time) and for
 * log redaction (every key that resolves now is scrubbed from log lines), and those of teams whose
 * `pagerduty:` a reload removed, whose resolves still use them (config-holder.ts).
 */
import { createRoutingKeyResolver, type RoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import type { PagerDutyConfig, RoutingConfig } from './types.js';

/** Key sources of teams removed from the config, by team. */
export type RetiredKeySources = (team: string) => PagerDutyConfig | undefined;

export function routingKeyResolver(config: () => RoutingConfig | undefined, env: NodeJS.ProcessEnv, retired?: RetiredKeySources): RoutingKeyResolver {
  return createRoutingKeyResolver((team) => config()?.teams.get(team)?.pagerduty, {
    env,
    knownTeam: (team) => config()?.teams.has(team) ?? false,
    ...(retired ? { retired } : {}),
  });
}

export function resolvableRoutingKeys(config: RoutingConfig, env: NodeJS.ProcessEnv, retired: readonly [string, PagerDutyConfig][] = []): string[] {
  const resolve = routingKeyResolver(() => config, env);
  const live = [...config.teams.values()].filter((t) => t.pagerduty).map((t) => resolve(t.team));
  // A removed team's key is still sent (its resolves), so it stays on the scrub list.
  const removed = retired.map(([team, source]) => createRoutingKeyResolver(() => source, { env })(team));
  return [...live, ...removed].flatMap((r) => (r.ok ? [r.key] : []));
}
