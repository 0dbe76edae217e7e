/**
 * @module config/routing-keys
 * PagerDuty routing keys are secrets injected at deploy time: looked up when sending, never stored.
 * A missing key fails only that team's PagerDuty notifications, with a reason naming the variable.
 */
import { readFileSync } from 'node:fs';
import type { RoutingConfig } from './types.js';

export type RoutingKeyResult = { ok: true; key: string } | { ok: false; error: string };

export function routingKeyResolver(config: () => RoutingConfig | undefined, env: NodeJS.ProcessEnv) {
  return (team: string): RoutingKeyResult => {
    const pd = config()?.teams.get(team)?.pagerduty;
    if (!pd) return { ok: false, error: `team "${team}" has no pagerduty configuration` };
    if (pd.routingKeyEnv) {
      const key = env[pd.routingKeyEnv];
      return key ? { ok: true, key } : { ok: false, error: `PagerDuty routing key variable ${pd.routingKeyEnv} is not set (team "${team}")` };
    }
    if (pd.routingKeyFile) {
      try {
        const key = readFileSync(pd.routingKeyFile, 'utf8').trim();
        if (key) return { ok: true, key };
        return { ok: false, error: `PagerDuty routing key file ${pd.routingKeyFile} is empty (team "${team}")` };
      } catch (err) {
        return { ok: false, error: `cannot read PagerDuty routing key file ${pd.routingKeyFile} (team "${team}"): ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
      }
    }
    return { ok: false, error: `team "${team}" has no routing key configured` };
  };
}

/** Every routing key that resolves now (for log redaction and for choosing the log sink). */
export function resolvableRoutingKeys(config: RoutingConfig, env: NodeJS.ProcessEnv): string[] {
  const resolve = routingKeyResolver(() => config, env);
  return [...config.teams.values()]
    .filter((t) => t.pagerduty)
    .map((t) => resolve(t.team))
    .flatMap((r) => (r.ok ? [r.key] : []));
}
