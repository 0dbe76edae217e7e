/**
 * @module config/routing-keys
 * Routing keys of the live config, for the PagerDuty notifier (looked up at send time) and for
 * log redaction (every key that resolves now is scrubbed from log lines).
 */
import { createRoutingKeyResolver, type RoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import type { RoutingConfig } from './types.js';

export function routingKeyResolver(config: () => RoutingConfig | undefined, env: NodeJS.ProcessEnv): RoutingKeyResolver {
  return createRoutingKeyResolver((team) => config()?.teams.get(team)?.pagerduty, { env });
}

export function resolvableRoutingKeys(config: RoutingConfig, env: NodeJS.ProcessEnv): string[] {
  const resolve = routingKeyResolver(() => config, env);
  return [...config.teams.values()]
    .filter((t) => t.pagerduty)
    .map((t) => resolve(t.team))
    .flatMap((r) => (r.ok ? [r.key] : []));
}
