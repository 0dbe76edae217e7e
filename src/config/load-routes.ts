/**
 * @module config/load-routes
 * Load `routes/*.yaml` (and `.yml`) from a config dir into a RoutingConfig, collecting every
 * problem of every file in one pass: YAML syntax, schema (unknown fields, bad matchers,
 * durations, …) and semantics (receivers, namespace ownership, the fallback team). Each problem
 * is positioned at `routes/<file>:line:col`. The config is returned only when there is no error;
 * warnings (a routing-key variable not set yet) never block it.
 *
 * @example
 * const { config, errors, warnings } = await loadRoutingConfig('/etc/alertgate', process.env);
 */
import type { ReceiverType } from '../model/target.js';
import { configFileText } from './config-text.js';
import { parseDuration } from './duration.js';
import { configEntryAt, configRoot, listConfigFolder, MAX_LOADS_PER_SWAP, outsideProblem, readConfigFile, rootMoved, type ConfigRoot } from './read-config-file.js';
import { routesFileSchema, type RoutesFileSpec } from './routes-schema.js';
import { checkAcrossTeams, checkTeamFile, type TeamFile } from './routes-semantics.js';
import { checkConfigEntry, unreadRoutesFileHint, unreadTeamFile, type NonFileEntries } from './skipped-entry.js';
import { sortSourceErrors, type SourceError } from './source-error.js';
import type { RoutingConfig, TeamConfig } from './types.js';
import { checkYamlText, noDocumentMessage, parseYamlSource, readOnProblems, zodIssuesToSourceErrors, type YamlSource } from './yaml-source.js';

export const DEFAULT_FALLBACK_TEAM = 'platform';
export const DEFAULT_DEDUP_WINDOW = '4h';
export const ROUTES_DIR = 'routes';

export interface LoadRoutesResult {
  /** Present only when `errors` is empty. */
  config?: RoutingConfig;
  errors: SourceError[];
  warnings: SourceError[];
  /**
   * Teams that have a routes file (by file name), known even when the config has errors, so
   * validators of rules/ and dashboards/ can report "no routes file for team X" in the same run.
   */
  teamNames: string[];
  /**
   * A file or routes/ itself could not be read (EIO, EMFILE, EACCES…): the errors say which, but
   * this refusal is not the config's, and a read again with the same files may succeed.
   */
  unreadable?: true;
}

/**
 * Each team's `owns.namespaces` and routes file, for the check that its rules and dashboards go to
 * one of them (check-team-file.ts); undefined when routes/ has errors (they are reported instead).
 */
export function teamNamespacesOf(routes: LoadRoutesResult): Map<string, { file: string; namespaces: readonly string[] }> | undefined {
  if (!routes.config) return undefined;
  return new Map([...routes.config.teams.values()].map((t) => [t.team, { file: t.file, namespaces: t.owns.namespaces }]));
}

/** Blank is unset and surrounding whitespace is dropped, as for every setting (config/env). */
export function fallbackTeamFrom(env: NodeJS.ProcessEnv): string {
  return env['FALLBACK_TEAM']?.trim() || DEFAULT_FALLBACK_TEAM;
}

/**
 * Routes file names in routes/ of this load (as `root` resolved it: its reads go below the same
 * folder), sorted; an absent folder means no teams (`absent`).
 */
async function listRouteFiles(root: ConfigRoot, nonFileEntries: NonFileEntries): Promise<{ names: string[]; error?: SourceError; unreadable?: true; absent?: true; skipped?: SourceError[]; entries?: string[] }> {
  const listed = await listConfigFolder(root, ROUTES_DIR);
  if ('outside' in listed) return { names: [], error: outsideProblem(`${ROUTES_DIR}/`, listed.outside) };
  if ('error' in listed) {
    const code = (listed.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { names: [], absent: true };
    return { names: [], unreadable: true, error: { file: `${ROUTES_DIR}/`, line: 1, col: 1, severity: 'error', message: `cannot read ${ROUTES_DIR}/: ${code ?? String(listed.error)}` } };
  }
  const { entries } = listed;
  const names: string[] = [];
  const skipped: SourceError[] = entries.flatMap((n) => unreadTeamFile(ROUTES_DIR, n, entries, () => true, nonFileEntries) ?? []);
  // Hidden entries are skipped: Kubernetes ConfigMap mounts add `..data` and friends.
  for (const name of entries.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort()) {
    const entry = await checkConfigEntry(await configEntryAt(root, ROUTES_DIR, name), ROUTES_DIR, name, nonFileEntries);
    if (entry.isFile) names.push(name);
    if (entry.problem) skipped.push(entry.problem);
  }
  return { names, skipped, entries };
}

function toTeamConfig(spec: RoutesFileSpec, file: string): TeamConfig {
  const team: TeamConfig = {
    team: spec.team,
    file,
    owns: { namespaces: spec.owns?.namespaces ?? [], matchers: spec.owns?.matchers ?? [] },
    dedup: { windowMs: parseDuration(spec.dedup?.window ?? DEFAULT_DEDUP_WINDOW) },
    routes: (spec.routes ?? []).map((r, index) => ({
      index,
      matchers: r.matchers ?? [],
      receivers: [...new Set<ReceiverType>(r.receivers)],
      ...(r.slack ? { slackChannel: r.slack.channel } : {}),
      continue: r.continue ?? false,
    })),
    reports: spec.reports ?? [],
    maintenance: (spec.maintenance ?? []).map((m) => ({ ...m, matchers: m.matchers ?? [] })),
  };
  if (spec.slack) team.slack = { channel: spec.slack.channel };
  if (spec.pagerduty) team.pagerduty = { ...spec.pagerduty };
  if (spec.storm) {
    team.storm = { maxMessagesPerMinute: spec.storm.maxMessagesPerMinute ?? 20, holdPagerDuty: spec.storm.holdPagerDuty ?? false };
  }
  return team;
}

/** One routes file's own checks, on one reading of it. */
function checkRoutesFile(src: YamlSource, expectedTeam: string, env: NodeJS.ProcessEnv): { src: YamlSource; problems: SourceError[]; spec?: RoutesFileSpec } {
  const problems: SourceError[] = [...src.errors];
  if (src.errors.some((e) => e.severity === 'error')) {
    // A mis-indented line does not hide the file's other mistakes: they are reported in the same run.
    problems.push(...readOnProblems(src, (again) => checkRoutesFile(again, expectedTeam, env).problems));
    return { src, problems };
  }
  if (src.value === null || src.value === undefined) {
    problems.push({ file: src.file, line: 1, col: 1, severity: 'error', message: noDocumentMessage(src, 'routing') });
    return { src, problems };
  }
  const parsed = routesFileSchema.safeParse(src.value);
  if (!parsed.success) problems.push(...zodIssuesToSourceErrors(src, parsed.error.issues, routesFileSchema));
  problems.push(...checkTeamFile({ src, expectedTeam }, env));
  return { src, problems, ...(parsed.success && { spec: parsed.data }) };
}

export interface LoadRoutesOptions {
  /**
   * A `.yaml` entry that is no file (a dangling link, a folder): an error (default, a checkout)
   * or skipped with a warning (the gateway's ConfigMap mount, config/skipped-entry.ts).
   */
  nonFileEntries?: NonFileEntries;
}

export async function loadRoutingConfig(dir: string, env: NodeJS.ProcessEnv, opts: LoadRoutesOptions = {}): Promise<LoadRoutesResult> {
  for (let load = 1; ; load++) {
    // Listed and read below one real path: a config dir that is a link swapped mid-load (git-sync),
    // or its `..data`, gives one version's files (config/read-config-file.ts).
    const root = await configRoot(dir, opts.nonFileEntries ?? 'error');
    const r = await loadRoutingConfigAt(root, dir, env);
    if (load >= MAX_LOADS_PER_SWAP || !(await rootMoved(root))) return r;
  }
}

async function loadRoutingConfigAt(root: ConfigRoot, dir: string, env: NodeJS.ProcessEnv): Promise<LoadRoutesResult> {
  const problems: SourceError[] = [];
  const listing = await listRouteFiles(root, root.nonFileEntries);
  let unreadable = !!listing.unreadable;
  if (listing.error) problems.push(listing.error);
  problems.push(...(listing.skipped ?? []));

  const files: TeamFile[] = [];
  const specs: { spec: RoutesFileSpec; file: string }[] = [];
  for (const name of listing.names) {
    const file = `${ROUTES_DIR}/${name}`;
    const expectedTeam = name.replace(/\.ya?ml$/, '');
    const read = await readConfigFile(root, file);
    if (read.problem?.severity === 'warning') {
      // Dangling since the listing, for the gateway: skipped with a warning, as the listing does.
      problems.push(read.problem);
      continue;
    }
    if (read.problem && read.unreadable) {
      problems.push(read.problem);
      unreadable = true;
      continue;
    }
    // A link leading outside the config dir is the file's own problem, as a file not UTF-8 is.
    const { text, error } = read.problem ? { error: read.problem } : configFileText(file, read.bytes);
    if (error) {
      problems.push(error);
      // Listed with nothing in it: the team has a routes file, only not one that can be read.
      files.push({ src: parseYamlSource(file, ''), expectedTeam });
      continue;
    }
    // Read quickly first; a file with anything to report is read again with positions.
    const checked = checkYamlText(file, text, (src) => checkRoutesFile(src, expectedTeam, env));
    problems.push(...checked.problems);
    files.push({ src: checked.src, expectedTeam });
    if (checked.spec) specs.push({ spec: checked.spec, file });
  }

  const fallbackTeam = fallbackTeamFrom(env);
  // Without routes/ at all, alertgate most likely runs outside the config dir: say where it looked.
  const noRoutesDir = listing.absent && `there is no ${ROUTES_DIR}/ folder in ${dir}: run alertgate in the folder holding routes/, rules/ and dashboards/, or point --config DIR (or ALERTGATE_CONFIG_DIR) at it`;
  const otherEnding = unreadRoutesFileHint(fallbackTeam, listing.entries ?? []);
  problems.push(...checkAcrossTeams(files, fallbackTeam, `${ROUTES_DIR}/`, noRoutesDir || otherEnding));

  const errors = sortSourceErrors(problems.filter((p) => p.severity === 'error'));
  const warnings = sortSourceErrors(problems.filter((p) => p.severity === 'warning'));
  const teamNames = [...new Set(files.map((f) => f.expectedTeam))].sort();
  if (errors.length > 0) return { errors, warnings, teamNames, ...(unreadable && { unreadable: true as const }) };

  const teams = new Map<string, TeamConfig>();
  for (const { spec, file } of [...specs].sort((a, b) => (a.spec.team < b.spec.team ? -1 : 1))) {
    teams.set(spec.team, toTeamConfig(spec, file));
  }
  return { config: { teams, fallbackTeam }, errors, warnings, teamNames };
}
