/**
 * @module uptime/checks-source
 * The `uptime:` checks of every team, from `rules/<team>.yaml` (config/load-team-specs.ts; dashboards/
 * is not read: it has no bearing on a report). Read
 * again every few seconds so an edited rules file shows in the next report; a file that no
 * longer validates keeps the last good checks (and says so in the log), as the routing config does.
 */
import { loadTeamSpecs } from '../config/load-team-specs.js';
import { formatSourceError } from '../config/source-error.js';
import type { UptimeSpec } from '../generate/model.js';
import type { Logger } from '../log/logger.js';
import { UptimeError } from './errors.js';

/** Every team with a routes file → its uptime checks (possibly none), sorted by team. */
export type UptimeChecks = Map<string, UptimeSpec[]>;
export type ChecksSource = () => Promise<UptimeChecks>;

export interface FileChecksSourceOptions {
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Teams that have a routes file (undefined while no routing config is loaded). */
  routeTeams: () => Iterable<string> | undefined;
  logger?: Logger;
  /** How long a load is reused; default 5 s. */
  cacheMs?: number;
  now?: () => number;
}

export function severitiesFromEnv(env: NodeJS.ProcessEnv): string[] {
  return (env.ALERTGATE_SEVERITIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function fileChecksSource(opts: FileChecksSourceOptions): ChecksSource {
  const cacheMs = opts.cacheMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let good: { checks: UptimeChecks; at: number; teamsKey: string } | undefined;
  let loading: Promise<UptimeChecks> | undefined;

  async function load(teams: string[], teamsKey: string): Promise<UptimeChecks> {
    const severities = severitiesFromEnv(opts.env);
    // rules/ only: a dashboards/ file `validate` refuses is no reason to refuse every report.
    // The gateway's (or its pod's) ConfigMap mount, whose removed files dangle during a swap.
    const r = await loadTeamSpecs(opts.configDir, { routeTeams: new Set(teams), rulesOnly: true, nonFileEntries: 'warning', ...(severities.length ? { severities } : {}) });
    if (!r.specs) {
      const errors = r.errors.map(formatSourceError);
      if (good) {
        opts.logger?.error({ errors, keptPrevious: true }, 'rules/ is invalid: uptime reports use the last valid uptime checks');
        good.at = now();
        return good.checks;
      }
      throw new UptimeError('config', `rules/ is invalid, so there are no uptime checks to report: ${errors.slice(0, 5).join('; ')}`);
    }
    const checks: UptimeChecks = new Map(teams.map((t) => [t, [] as UptimeSpec[]]));
    for (const spec of r.specs.teams) if (spec.rules) checks.set(spec.team, spec.rules.uptime);
    good = { checks, at: now(), teamsKey };
    return checks;
  }

  return async () => {
    const teamsIt = opts.routeTeams();
    if (!teamsIt) throw new UptimeError('config', 'no valid routes/ configuration is loaded');
    const teams = [...teamsIt].sort();
    const teamsKey = teams.join(',');
    if (good && good.teamsKey === teamsKey && now() - good.at < cacheMs) return good.checks;
    // Concurrent requests share one load.
    loading ??= load(teams, teamsKey).finally(() => (loading = undefined));
    return loading;
  };
}
