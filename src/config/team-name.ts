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

/** `name` made a team name the plain way (`order_service` → `order-service`, `Orders` → `orders`), or undefined when that gives none. */
function teamNameLike(name: string): string | undefined {
  const like = name
    .toLowerCase()
    .replace(/[\s_.]+/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/^[^a-z]+|-+$/g, '');
  return TEAM_NAME.test(like) && teamNameLabelProblem(like) === undefined ? like : undefined;
}

/** Why `name` is no team name by the contract's pattern, in words, with a name like it. */
export function teamNamePatternMessage(name: string): string {
  const like = teamNameLike(name);
  return `${JSON.stringify(name)} is not a team name: a team name is lower-case letters, digits and "-", starting with a letter (${TEAM_NAME.source})${like && like !== name ? `, such as ${JSON.stringify(like)}` : ''}`;
}

/**
 * A team file whose name is no team name (`Orders.yaml`, `order_service.yaml`) holding a team
 * that is one: the file is to be renamed. Saying the file must hold team "Orders" (as a plain
 * mismatch does) would ask for a name the pattern refuses. Undefined when the file name is a
 * team name, or the `team:` is none either (its own error says what to write).
 */
export function fileNameProblem(fileName: string, fileTeam: string, declared: unknown): string | undefined {
  if (TEAM_NAME.test(fileTeam) && teamNameLabelProblem(fileTeam) === undefined) return undefined;
  if (typeof declared === 'string' && (!TEAM_NAME.test(declared) || teamNameLabelProblem(declared) !== undefined)) return undefined;
  const like = typeof declared === 'string' ? declared : teamNameLike(fileTeam);
  const ext = fileName.slice(fileTeam.length);
  return `the file name ${JSON.stringify(fileName)} is not a team name: a team's file is named after its team (lower-case letters, digits and "-")${like ? `; rename it ${like}${ext}` : ''}`;
}

/**
 * A `team:` naming another team than its file's (`team: prison` in `rules/prisons.yaml`), in the
 * same words for `routes/`, `rules/` and `dashboards/`: what the file must hold, and the file's
 * other name when the team it holds is a team name (a `team:` that is none has its own error).
 * `file` is the path as messages show it; the message goes at the `team:` field. `canRename`:
 * false in `rules/` and `dashboards/` when the declared team has no routes file, where the rename
 * would only lead to "has no routes/<team>.yaml".
 */
export function teamMismatchMessage(file: string, declared: string, fileTeam: string, canRename = true): string {
  const fileName = file.slice(file.lastIndexOf('/') + 1);
  const rename = canRename && TEAM_NAME.test(declared) && teamNameLabelProblem(declared) === undefined ? ` (or rename the file ${declared}${fileName.slice(fileTeam.length)})` : '';
  return `${JSON.stringify(declared)} does not match the file name: ${file} must hold team ${JSON.stringify(fileTeam)}${rename}`;
}

/** A `team:` field: the contract's pattern (said in words, with the name found), then the label-value check. */
export function teamNameSchema() {
  return z
    .string()
    .regex(TEAM_NAME, { error: (issue) => teamNamePatternMessage(String(issue.input)) })
    .check((ctx) => {
      if (!TEAM_NAME.test(ctx.value)) return; // already reported by the pattern
      const problem = teamNameLabelProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
    });
}

/** `payments'` or `orders's`: a team's name in messages, as English writes it (one spelling for every check). */
export const possessive = (team: string): string => (team.endsWith('s') ? `${team}'` : `${team}'s`);
