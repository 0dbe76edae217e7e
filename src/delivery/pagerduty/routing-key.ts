/**
 * @module delivery/pagerduty/routing-key
 * Resolves a team's PagerDuty routing key at send time from its `routingKeyEnv` or
 * `routingKeyFile`, so keys never enter the store, targets or logs. A missing key is an
 * error for that team only, naming the variable or file (never a value).
 */
import { readFileSync } from 'node:fs';
import type { PagerDutyConfig } from '../../config/types.js';
import { namedEnvVar } from '../../config/named-env-var.js';

/**
 * A key that does not resolve yet (`retryable`: its variable unset, its file missing or empty)
 * may come: a secret synced after start, a key file written later. One the team's config does not
 * name cannot, until the config changes.
 */
export type RoutingKeyResult = (
  /** `source`: where the key was read ("environment variable X", "file /path"), never the key. */
  | { ok: true; key: string; source: string }
  | { ok: false; retryable: boolean; error: string }
) & {
  /** Why the episode's own source (`episode`) gave no key, so the team's source was tried instead. */
  episodeSourceFailed?: string;
};
/**
 * `action`: what the key is for. A `resolve` may use the key source of a team whose `pagerduty:`
 * left the config (`retired`): it closes what that config opened and pages no one.
 * `episode`: the source the group's episode was triggered with (its target's `keySource`), used
 * first when it differs from the team's: PagerDuty dedups by routing key, so the episode's events
 * must reach the service that opened its incident. A trigger uses it only while the team still has
 * a `pagerduty:` (as `retired`, it must page no one otherwise).
 */
export type RoutingKeyResolver = (team: string, action?: 'trigger' | 'resolve', episode?: PagerDutyConfig) => RoutingKeyResult;

export interface RoutingKeyResolverOptions {
  /** Where variables are read; default process.env (read on every call: keys can be injected late). */
  env?: Record<string, string | undefined>;
  /** File reader; default fs.readFileSync (re-read on every call, so rotated keys apply). */
  readFile?: (path: string) => string;
  /** Key sources of teams whose `pagerduty:` a reload removed, for their resolves (config-holder.ts). */
  retired?: (team: string) => PagerDutyConfig | undefined;
  /**
   * Whether the live config has this team at all (with or without `pagerduty:`). A resolve for a
   * team neither known nor remembered here is retryable: with several replicas, one that knew the
   * team before a reload removed it may still remember its key source, and the outbox's backoff lets
   * it take the resolve (the attempt budget still ends it `dead`). Unset: every team counts as known.
   */
  knownTeam?: (team: string) => boolean;
}

/**
 * @example
 * const resolve = createRoutingKeyResolver((team) => config.teams.get(team)?.pagerduty);
 * resolve('payments'); // { ok: false, error: 'PagerDuty routing key for team "payments": environment variable PAGERDUTY_PAYMENTS_KEY is not set' }
 */
export function createRoutingKeyResolver(
  lookup: (team: string) => PagerDutyConfig | undefined,
  opts: RoutingKeyResolverOptions = {},
): RoutingKeyResolver {
  const env = opts.env ?? process.env;
  const readFile = opts.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  /** The key `config` names; `what` heads an error ("PagerDuty routing key for team …"). */
  const read = (config: PagerDutyConfig | undefined, what: string): RoutingKeyResult | undefined => {
    if (config?.routingKeyEnv) {
      const key = namedEnvVar(env, config.routingKeyEnv)?.trim();
      return key ? { ok: true, key, source: `environment variable ${config.routingKeyEnv}` } : { ok: false, retryable: true, error: `${what}: environment variable ${config.routingKeyEnv} is not set` };
    }
    if (config?.routingKeyFile) {
      let key: string;
      try {
        key = readFile(config.routingKeyFile).trim();
      } catch (err) {
        // Only the error code: a message could quote file content in odd cases.
        const code = (err as { code?: unknown }).code;
        return { ok: false, retryable: true, error: `${what}: file ${config.routingKeyFile} could not be read (${typeof code === 'string' ? code : 'error'})` };
      }
      return key ? { ok: true, key, source: `file ${config.routingKeyFile}` } : { ok: false, retryable: true, error: `${what}: file ${config.routingKeyFile} is empty` };
    }
    return undefined;
  };
  return (team, action, episode) => {
    const live = lookup(team);
    const retired = live === undefined && action === 'resolve' ? opts.retired?.(team) : undefined;
    let episodeSourceFailed: string | undefined;
    if (episode && (live || action === 'resolve') && !sameSource(episode, live ?? retired)) {
      const own = read(episode, `PagerDuty routing key of the episode of team "${team}" (the key source it was triggered with)`);
      if (own?.ok) return own;
      episodeSourceFailed = own?.error;
    }
    const what = `PagerDuty routing key for team "${team}"${retired ? ' (its pagerduty: config was removed; resolving with the key source it named)' : ''}`;
    const unknownHere = action === 'resolve' && live === undefined && opts.knownTeam?.(team) === false;
    const result: RoutingKeyResult = read(live ?? retired, what) ?? {
      ok: false,
      retryable: unknownHere,
      error: `${what}: team has no pagerduty.routingKeyEnv or routingKeyFile configured`,
    };
    return episodeSourceFailed ? { ...result, episodeSourceFailed } : result;
  };
}

function sameSource(a: PagerDutyConfig, b: PagerDutyConfig | undefined): boolean {
  return a.routingKeyEnv === b?.routingKeyEnv && a.routingKeyFile === b?.routingKeyFile;
}
