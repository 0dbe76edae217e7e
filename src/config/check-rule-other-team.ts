/**
 * @module config/check-rule-other-team
 * A rule query whose every series carries another team's name (`x{team="prisons"} > 0` in
 * rules/payments.yaml). The generated rule sets `team` to the file's team (generate/prometheus-rule.ts),
 * and Prometheus replaces the series' value with it, so the alerts go to payments, never to
 * prisons, though the query says prisons: most likely a rule copied from, or meant for, the other
 * team. A warning, not an error: watching a dependency's series can be what was meant.
 *
 * Only a value that is a team of routes/ is named (a `team` value no team has routes nowhere
 * anyway), and only where the pin reaches the result (config/promql-pinned-labels.ts): a query
 * that aggregates team away (`sum(x{team="prisons"})`) reads prisons' series for payments
 * without relabelling anything, which is the way to say so on purpose.
 */
import { pinnedLabels } from './promql-pinned-labels.js';
import type { RulesFileSpec } from './rules-schema.js';
import type { SourceError } from './source-error.js';
import { possessive } from './team-name.js';
import { errorAt, type YamlSource } from './yaml-source.js';

/** `team="v"` or `team=~"v"`: a cheap scan, so only a query naming another team is parsed (~50 µs). */
const TEAM_MATCHER = /\bteam\s*=~?\s*["'`]([a-z][a-z0-9-]*)["'`]/g;

export function checkRuleOtherTeam(src: YamlSource, spec: RulesFileSpec, team: string, routeTeams: ReadonlySet<string>, problems: SourceError[]): void {
  const check = (path: [string, number, string], expr: string) => {
    const other = otherTeamPinned(expr, team, routeTeams);
    if (other === undefined) return;
    const at = `${path[0]}[${path[1]}].${path[2]}`;
    problems.push(
      errorAt(
        src,
        path,
        `${at}: its series carry team "${other}", another team's (routes/${other}.yaml), but alertgate sets team "${team}" on every alert of ${src.file}, replacing it: these alerts go to team ${team}, not ${other}; to alert ${other}, put the rule in rules/${other}.yaml; to watch ${possessive(other)} series for ${team} on purpose, aggregate team away (sum without (team) (…)) or select by another label`,
        'warning',
      ),
    );
  };
  spec.alerts.forEach((a, i) => check(['alerts', i, 'expr'], a.expr));
  spec.slos.forEach((s, i) => {
    // The ratio is errors over total: said once, of the first query that carries the other team.
    if (otherTeamPinned(s.errors, team, routeTeams) !== undefined) check(['slos', i, 'errors'], s.errors);
    else check(['slos', i, 'total'], s.total);
  });
}

function otherTeamPinned(expr: string, team: string, routeTeams: ReadonlySet<string>): string | undefined {
  const named = [...expr.matchAll(TEAM_MATCHER)].some(([, v]) => v !== team && routeTeams.has(v!));
  if (!named) return undefined;
  const pinned = pinnedLabels(expr).get('team');
  return pinned !== undefined && pinned !== team && routeTeams.has(pinned) ? pinned : undefined;
}
