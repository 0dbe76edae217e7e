/**
 * @module config/skipped-entry
 * Why a `.yaml` entry of a config folder that is no file is skipped: a symbolic link that points
 * nowhere (a file moved in a pull request, its link left behind) or a folder. Skipping it
 * silently made a team's alerts or boards vanish from the output while `validate` said ok. Read
 * from a checkout (the CLI: validate, generate, route-test) it is an error, a mistake to fix
 * before merging. Read by the gateway (`nonFileEntries: 'warning'`) it is skipped with a warning,
 * because a ConfigMap mount's removed files dangle for a moment while the kubelet swaps `..data`,
 * and a reload then must not fail.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { InsidePath } from '../fs/read-inside.js';
import type { SourceError } from './source-error.js';
import { TEAM_NAME, teamNameLabelProblem } from './team-name.js';

/**
 * What a `.yaml` entry that is no file is: `error` in a checkout (the CLI), `warning` (skipped) in
 * a ConfigMap mount (the gateway's reloads and uptime reports).
 */
export type NonFileEntries = 'error' | 'warning';

/**
 * `folder/name` as a file to read, or the problem saying why it is not read, from where its walk
 * led (config/read-config-file.ts configEntryAt). A link leading outside the config folder counts
 * as a file: its read gives the refusal, the same whatever is at its target, which nothing here
 * looks at; so does a walk the file system refused (EIO): its read says so, rather than the
 * team's file vanishing without a word. One gone since the listing (ENOENT) is skipped; a chain of
 * more than 40 links (ELOOP) is a problem by `nonFileEntries`, as a link to nothing.
 */
export async function checkConfigEntry(
  to: InsidePath | { error: unknown },
  folder: string,
  name: string,
  nonFileEntries: NonFileEntries,
): Promise<{ isFile: boolean; problem?: SourceError }> {
  if ('error' in to) {
    const code = (to.error as NodeJS.ErrnoException).code;
    // A chain of links too long to follow is the config's own mistake, by the same policy as a
    // link to nothing (a warning for the gateway, whose load must not stop on it).
    if (code === 'ELOOP') return { isFile: false, problem: nonFileProblem(folder, name, LOOP_WHY, 'point the link at a file or remove it', nonFileEntries) };
    return { isFile: code !== 'ENOENT' };
  }
  if (to.outside) return { isFile: true };
  // lstat of a real path (no link left): stat, not the dirent type, as ConfigMap files are links.
  const s = to.real === undefined ? undefined : (to.stats ?? (await lstat(to.real).catch(() => undefined)));
  if (s?.isFile()) return { isFile: true };
  let why: string | undefined;
  let fix = 'point the link at a file or remove it';
  if (s?.isDirectory()) {
    why = 'a folder, not a file';
    fix = `rename the folder or move it out of ${folder}/`;
  } else if (to.dangling !== undefined) {
    why = danglingWhy(to.dangling);
  }
  // Anything else (a socket, an entry gone since the listing) is skipped as before.
  if (why === undefined) return { isFile: false };
  return { isFile: false, problem: nonFileProblem(folder, name, why, fix, nonFileEntries) };
}

const LOOP_WHY = 'more than 40 symbolic links in a row: a loop?';

/** `file`'s walk met ELOOP when read (the listing saw it otherwise): as danglingLinkProblem. */
export function linkLoopProblem(file: string, nonFileEntries: NonFileEntries): SourceError {
  return nonFileProblem(path.dirname(file), path.basename(file), LOOP_WHY, 'point the link at a file or remove it', nonFileEntries);
}

function danglingWhy(target: string): string {
  return `a symbolic link to ${target}, which does not exist`;
}

function nonFileProblem(folder: string, name: string, why: string, fix: string, nonFileEntries: NonFileEntries): SourceError {
  const team = name.replace(/\.ya?ml$/, '');
  const what = { routes: 'routes', rules: 'rules', dashboards: 'dashboards' }[folder] ?? folder;
  const at = { file: `${folder}/${name}`, line: 1, col: 1 };
  if (nonFileEntries === 'warning') return { ...at, severity: 'warning', message: `${why}: skipped, so team "${team}" has no ${what} file` };
  return { ...at, severity: 'error', message: `${why}: team "${team}" would have no ${what} file; ${fix}` };
}

/**
 * `file` (`rules/web.yaml`) is a link to `target`, which does not exist: found when reading it,
 * after the listing saw a file there (its target removed meanwhile). The listing's problem, by the
 * same policy: for the gateway a warning, and its caller skips the file.
 */
export function danglingLinkProblem(file: string, target: string, nonFileEntries: NonFileEntries): SourceError {
  return nonFileProblem(path.dirname(file), path.basename(file), danglingWhy(target), 'point the link at a file or remove it', nonFileEntries);
}

/**
 * A file of a config folder that is not read, though its name says it was meant to be a team's
 * file: `orders.YAML` or `orders.Yml` (a case-insensitive file system's, or an editor's, ending) or
 * `orders.json` (not in routes/), where the folder has no `orders.yaml`/`.yml`. Skipping it silently made the team's
 * rules or boards vanish while `validate` said ok. In a checkout it is an error; the gateway skips
 * it with a warning, as a `.yaml` entry that is no file. Only a name whose stem (in lower case) is
 * a team name `isTeam` accepts (any team name in routes/, a routes team in rules/ and dashboards/)
 * is flagged: a `schema.json`, a raw Grafana export or `orders.json` beside `orders.yaml` is no
 * team file, and no problem, as `README.md` and hidden files are not.
 */
export function unreadTeamFile(folder: string, name: string, entries: readonly string[], isTeam: (team: string) => boolean, nonFileEntries: NonFileEntries): SourceError | undefined {
  if (name.startsWith('.') || /\.ya?ml$/.test(name)) return undefined;
  const yamlAnyCase = /\.ya?ml$/i.test(name);
  // In routes/ any name could be a team's, so a JSON file there (an editor's schema.json) is taken
  // for none; a team whose routes are in orders.json hears of it from its rules file (unreadRoutesFileHint).
  const json = /\.json$/i.test(name) && folder !== 'routes';
  if (!yamlAnyCase && !json) return undefined;
  const stem = name.replace(/\.(ya?ml|json)$/i, '').toLowerCase();
  if (!TEAM_NAME.test(stem) || teamNameLabelProblem(stem) !== undefined || !isTeam(stem)) return undefined;
  if (entries.includes(`${stem}.yaml`) || entries.includes(`${stem}.yml`)) return undefined;
  return { file: `${folder}/${name}`, line: 1, col: 1, severity: nonFileEntries, message: `not read: ${renameHint(name)}` };
}

/** Why a file named with another ending is not read, and its name to be read: `team files end in …: rename it orders.yaml`. */
function renameHint(name: string): string {
  const yamlAnyCase = /\.ya?ml$/i.test(name);
  const rename = (yamlAnyCase ? name : name.replace(/\.json$/i, '.yaml')).toLowerCase();
  const why = yamlAnyCase ? 'team files end in .yaml (or .yml), in lower case' : 'team files end in .yaml (or .yml), and JSON is YAML';
  return `${why}: rename it ${rename}`;
}

/**
 * Team `team`'s routes file written with another ending (`routes/orders.json`, `routes/orders.YAML`)
 * among `routesEntries`, said for a rules or dashboards file whose team has no routes file; or
 * undefined. routes/ itself takes no .json for a team's (unreadTeamFile): there it is silent, and
 * the team's "has no routes/orders.yaml" was all its author heard, with the file right there.
 */
export function unreadRoutesFileHint(team: string, routesEntries: readonly string[]): string | undefined {
  const name = routesEntries.find((n) => !n.startsWith('.') && !/\.ya?ml$/.test(n) && /\.(ya?ml|json)$/i.test(n) && n.replace(/\.(ya?ml|json)$/i, '').toLowerCase() === team);
  return name === undefined ? undefined : `routes/${name} is not read: ${renameHint(name)}`;
}
