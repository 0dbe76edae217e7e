/**
 * @module config/load-team-specs
 * Load and validate `rules/*.yaml` and `dashboards/*.yaml` into the generator model
 * (generate/model.ts). Every problem in every file is collected and reported at once as
 * `file:line:col message`: YAML syntax, schema issues, PromQL syntax and type errors (at the
 * offending character inside the expression: what `promtool check rules` would reject), team/file mismatches, teams without a routes file, and
 * uid, title or ConfigMap key collisions across teams, and a team whose dashboards ConfigMap would
 * not fit in one Kubernetes object. File names in positions are relative to the config dir
 * (`rules/payments.yaml`), as the routes loader reports them. Each file is checked alone by
 * config/check-team-file.ts; this module lists the files and runs the checks across them.
 *
 * @example
 * const { specs, errors, warnings } = await loadTeamSpecs('.', { routeTeams: new Set(['payments']) });
 * if (!specs) for (const e of errors) console.error(formatSourceError(e));
 */
import { configMapDataBytes, CONFIGMAP_DATA_LIMIT_BYTES, dashboardsConfigMapData, teamDashboards } from '../generate/dashboards.js';
import type { TeamSpec, TeamSpecs } from '../generate/model.js';
import { dashboardKey, dashboardUid, SLO_DASHBOARD_SLUG, sloDashboardTitle } from '../generate/naming.js';
import { checkPrometheusRuleSize } from './check-rule-size.js';
import { teamFileChecker, teamOfFileName, type BoardClaim, type CheckedBoards, type CheckedRules, type LazyPlace, type TeamFileContext, type TeamFileJob } from './check-team-file.js';
import { LAST_APPLIED_LIMIT_BYTES, lastAppliedMessage } from './last-applied-limit.js';
import { configEntryAt, configRoot, listConfigFolder, MAX_LOADS_PER_SWAP, outsideProblem, rootMoved, type ConfigRoot } from './read-config-file.js';
import { checkConfigEntry, unreadTeamFile, type NonFileEntries } from './skipped-entry.js';
import { sortSourceErrors, type SourceError } from './source-error.js';

/** ~25 ms of checking on a slow machine. */
const YIELD_EVERY_FILES = 8;

export interface LoadTeamSpecsOptions {
  /** Teams that have a `routes/<team>.yaml`; a rules or dashboards file for any other team is an error. */
  routeTeams: Set<string>;
  /** Allowed alert severities; default critical, warning, info. */
  severities?: string[];
  /**
   * Read rules/ only (uptime reports, which need its checks and nothing else): dashboards/,
   * the ConfigMap sizes and the SLOs' grouping, which are generate's concern, are not checked,
   * so a board or an SLO that `validate` refuses does not stop every team's report.
   */
  rulesOnly?: boolean;
  /**
   * A `.yaml` entry that is no file (a dangling link, a folder): an error (default, a checkout)
   * or skipped with a warning (the gateway's ConfigMap mount, config/skipped-entry.ts).
   */
  nonFileEntries?: NonFileEntries;
  /** Each team's `owns.namespaces` (and routes file): its rules and dashboards must name one (check-team-file.ts). */
  teamNamespaces?: TeamFileContext['teamNamespaces'];
}

export interface LoadTeamSpecsResult {
  /** Present only when there are no errors. */
  specs?: TeamSpecs;
  errors: SourceError[];
  warnings: SourceError[];
}

export async function loadTeamSpecs(dir: string, opts: LoadTeamSpecsOptions): Promise<LoadTeamSpecsResult> {
  for (let load = 1; ; load++) {
    // Listed and read below one resolution of each folder (config/read-config-file.ts ConfigRoot).
    const root = await configRoot(dir, opts.nonFileEntries ?? 'error');
    const r = await loadTeamSpecsAt(root, dir, opts);
    if (load >= MAX_LOADS_PER_SWAP || !(await rootMoved(root))) return r;
  }
}

async function loadTeamSpecsAt(root: ConfigRoot, dir: string, opts: LoadTeamSpecsOptions): Promise<LoadTeamSpecsResult> {
  const problems: SourceError[] = [];
  const jobs: TeamFileJob[] = [];
  for (const folder of opts.rulesOnly ? (['rules'] as const) : (['rules', 'dashboards'] as const)) {
    const teams = new Set<string>();
    const listing = await listYaml(root, folder, opts.routeTeams, opts.nonFileEntries ?? 'error');
    if (listing.error) problems.push(listing.error);
    problems.push(...listing.skipped);
    for (const name of listing.names) {
      const team = teamOfFileName(name);
      if (teams.has(team)) {
        problems.push({ file: `${folder}/${name}`, line: 1, col: 1, severity: 'error', message: `${folder}/ has two files for team "${team}" (.yaml and .yml); keep one` });
        continue;
      }
      teams.add(team);
      jobs.push({ folder, name });
    }
  }
  // Read only to name a team's misnamed routes file (routes/orders.json) in its "has no routes/" error:
  // routes/ as this load resolved it, as its other folders, not a second listing through the folder as given.
  const routesListed = await listConfigFolder(root, 'routes');
  const routesEntries = 'entries' in routesListed ? routesListed.entries : [];
  const check = teamFileChecker({ dir, root, routeTeams: opts.routeTeams, routesEntries, nonFileEntries: opts.nonFileEntries ?? 'error', ...(opts.severities && { severities: opts.severities }), ...(opts.rulesOnly && { forUptime: true }), ...(opts.teamNamespaces && { teamNamespaces: opts.teamNamespaces }) });
  const rules: CheckedRules[] = [];
  const boards: CheckedBoards[] = [];
  for (const [i, job] of jobs.entries()) {
    // The server reloads rules/ for uptime reports: let requests in between files now and then.
    if (i > 0 && i % YIELD_EVERY_FILES === 0) await new Promise((resolve) => setImmediate(resolve));
    const r = check(job);
    problems.push(...r.problems);
    if (r.rules) rules.push(r.rules);
    if (r.boards) boards.push(r.boards);
  }
  const model = buildModel(rules, boards, problems);
  if (!opts.rulesOnly) await checkConfigMapSizes(model, rules, boards, problems);
  const errors = sortSourceErrors(problems.filter((e) => e.severity === 'error'));
  const warnings = sortSourceErrors(problems.filter((e) => e.severity === 'warning'));
  return { specs: errors.length === 0 ? model : undefined, errors, warnings };
}

/**
 * YAML file names in `folder` of this load (as `root` resolved it: its reads go below the same
 * folder), sorted; hidden entries (ConfigMap mounts' `..data`) skipped. A folder that cannot be
 * read (not a folder, no permission) is an error at `<folder>/`, as for routes/, not a crash of
 * `validate`, `generate` or a reload.
 */
async function listYaml(root: ConfigRoot, folder: string, routeTeams: ReadonlySet<string>, nonFileEntries: NonFileEntries): Promise<{ names: string[]; error?: SourceError; skipped: SourceError[] }> {
  const listed = await listConfigFolder(root, folder);
  if ('outside' in listed) return { names: [], skipped: [], error: outsideProblem(`${folder}/`, listed.outside) };
  if ('error' in listed) {
    // Each of rules/ and dashboards/ may be absent.
    const code = (listed.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { names: [], skipped: [] };
    return { names: [], skipped: [], error: { file: `${folder}/`, line: 1, col: 1, severity: 'error', message: `cannot read ${folder}/: ${code ?? String(listed.error)}` } };
  }
  const { entries } = listed;
  const candidates = entries.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  const checked = await Promise.all(candidates.map(async (name) => checkConfigEntry(await configEntryAt(root, folder, name), folder, name, nonFileEntries)));
  const unread = entries.flatMap((n) => unreadTeamFile(folder, n, entries, (team) => routeTeams.has(team), nonFileEntries) ?? []);
  return { names: candidates.filter((_, i) => checked[i]!.isFile), skipped: [...unread, ...checked.flatMap((c) => (c.problem ? [c.problem] : []))] };
}

function buildModel(rules: CheckedRules[], boards: CheckedBoards[], problems: SourceError[]): TeamSpecs {
  const teams = new Map<string, TeamSpec>();
  const teamOf = (team: string): TeamSpec => teams.get(team) ?? teams.set(team, { team }).get(team)!;
  for (const r of rules) if (r.model) teamOf(r.team).rules = r.model;
  for (const b of boards) if (b.model) teamOf(b.team).dashboards = b.model;

  // Uids and titles must be unique across every team's boards, generated SLO boards included;
  // so must ConfigMap keys: the Grafana sidecar writes each as a file, and `<team>-<name>` is
  // ambiguous (team payments' "eu-checkout" is team payments-eu's "checkout").
  const claimed = { uid: new Map<string, LazyPlace>(), title: new Map<string, LazyPlace>(), key: new Map<string, LazyPlace>() };
  const claim = ({ kind, key, what, at }: BoardClaim): void => {
    const first = claimed[kind].get(key);
    if (!first) return void claimed[kind].set(key, at);
    const [here, prev] = [at(), first()];
    problems.push({ ...here, severity: 'error', message: `${what} "${key}" is already used by ${prev.file}:${prev.line}:${prev.col}` });
  };
  const byTeam = [...teams.keys()].sort();
  const boardsOf = new Map(boards.map((x) => [x.team, x]));
  const rulesOf = new Map(rules.map((x) => [x.team, x]));
  for (const team of byTeam) {
    const t = teams.get(team)!;
    if (t.dashboards) boardsOf.get(team)?.claims.forEach(claim);
    const r = rulesOf.get(team);
    if (t.rules && r && (t.rules.slos.length > 0 || t.rules.uptime.length > 0)) {
      const folder = t.dashboards?.folder ?? team;
      claim({ kind: 'uid', key: dashboardUid(team, SLO_DASHBOARD_SLUG), what: 'dashboard uid', at: r.teamAt });
      claim({ kind: 'title', key: sloDashboardTitle(folder, team), what: 'generated SLO dashboard title', at: r.teamAt });
      claim({ kind: 'key', key: dashboardKey(team, SLO_DASHBOARD_SLUG), what: 'generated SLO dashboard ConfigMap key', at: r.teamAt });
    }
  }
  return { teams: byTeam.map((t) => teams.get(t)!) };
}

/**
 * A dashboards ConfigMap's JSON in a last-applied annotation (config/last-applied-limit.ts) is
 * the data's (the board JSON escaped once more) plus the metadata, a few hundred bytes, counted
 * generously.
 */
const CONFIGMAP_METADATA_JSON_BYTES = 1024;

/**
 * Each team's dashboards ConfigMap must fit in one Kubernetes object: rendered here as generate
 * renders it (generate/dashboards.ts), and a team over the limit reported at its dashboards file,
 * else its rules file (whose SLO/uptime board is then the whole ConfigMap), not only by generate
 * without a position. One too big for a client-side apply (LAST_APPLIED_LIMIT_BYTES) is a warning.
 */
async function checkConfigMapSizes(model: TeamSpecs, rules: CheckedRules[], boards: CheckedBoards[], problems: SourceError[]): Promise<void> {
  // A dashboards file wins: its namespace and folder are the ConfigMap's.
  const teamAt = new Map<string, LazyPlace>([...rules.map((r) => [r.team, r.teamAt] as const), ...boards.map((b) => [b.team, b.teamAt] as const)]);
  for (const [i, team] of model.teams.entries()) {
    // Rendering every board takes a while at platform scale: let requests in, as the file checks do.
    if (i > 0 && i % YIELD_EVERY_FILES === 0) await new Promise((resolve) => setImmediate(resolve));
    if (team.rules) problems.push(...checkPrometheusRuleSize(team.rules, rules.find((r) => r.team === team.team)!.teamAt));
    const data = dashboardsConfigMapData(teamDashboards(team));
    const bytes = configMapDataBytes(data);
    if (bytes <= CONFIGMAP_DATA_LIMIT_BYTES) {
      const asJson = Buffer.byteLength(JSON.stringify(data)) + CONFIGMAP_METADATA_JSON_BYTES;
      if (bytes > 0 && asJson > LAST_APPLIED_LIMIT_BYTES) {
        problems.push({
          ...teamAt.get(team.team)!(),
          severity: 'warning',
          message: lastAppliedMessage(`the dashboards ConfigMap of team "${team.team}"`, asJson, 'its boards'),
        });
      }
      continue;
    }
    const [largest, largestBytes] = Object.entries(data)
      .map(([key, json]) => [key, Buffer.byteLength(key) + Buffer.byteLength(json)] as const)
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    problems.push({
      ...teamAt.get(team.team)!(),
      severity: 'error',
      message:
        `the dashboards ConfigMap of team "${team.team}" would hold ${bytes} bytes of dashboard JSON, over the ${CONFIGMAP_DATA_LIMIT_BYTES} ` +
        `that fit in one ConfigMap (Kubernetes refuses objects over 1 MiB); make its boards smaller: the largest, ${largest}, is ${largestBytes} bytes`,
    });
  }
}
