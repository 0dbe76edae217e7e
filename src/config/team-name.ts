/**
 * @module config/team-name
 * The one rule for team names, shared by `routes/`, `rules/` and `dashboards/` files: the
 * contract's pattern `^[a-z][a-z0-9-]{1,62}$`, plus one check the pattern lacks. `generate`
 * puts the name on the team's PrometheusRule and dashboards ConfigMap as the Kubernetes label
 * `team: <name>`, and a Kubernetes label value must end with a letter or digit: the API server
 * refuses `team: web-`, so the generated objects of such a team could never be applied. The
 * routes file is held to the same rule because a team's name is one name in all three folders
 * (a `rules/` or `dashboards/` team needs its routes file), and the routes file is where the
 * name is chosen first.
 *
 * The check is separate from the pattern (rather than a stricter pattern) so that its message
 * says why; the two never both report one name.
 */
import { z } from 'zod';

/** The contract's pattern (`routes/<team>.yaml` → `team:`). */
export const TEAM_NAME = /^[a-z][a-z0-9-]{1,62}$/;

/** Why `name` (already matching TEAM_NAME) cannot be a team name, or undefined when it can. */
export function teamNameLabelProblem(name: string): string | undefined {
  if (/[a-z0-9]$/.test(name)) return undefined;
  return `team name must end with a letter or digit: it becomes the Kubernetes label value team=${name} of the generated PrometheusRule and ConfigMap, which Kubernetes refuses (the contract's pattern ${TEAM_NAME.source} alone allows a trailing "-")`;
}

/** A `team:` field: the contract's pattern (with `patternMessage`), then the label-value check. */
export function teamNameSchema(patternMessage: string) {
  return z
    .string()
    .regex(TEAM_NAME, { error: patternMessage })
    .check((ctx) => {
      if (!TEAM_NAME.test(ctx.value)) return; // already reported by the pattern
      const problem = teamNameLabelProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
    });
}
