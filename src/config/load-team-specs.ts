/**
 * @module config/load-team-specs
 * Load and validate `rules/*.yaml` and `dashboards/*.yaml` into the generator model
 * (generate/model.ts). Every problem in every file is collected and reported at once as
 * `file:line:col message`: YAML syntax, schema issues, PromQL syntax errors (at the offending
 * character inside the expression), team/file mismatches, teams without a routes file, and
 * uid or title collisions across teams. File names in positions are relative to the config dir
 * (`rules/payments.yaml`), as the routes loader reports them.
 *
 * @example
 * const { specs, errors, warnings } = await loadTeamSpecs('.', { routeTeams: new Set(['payments']) });
 * if (!specs) for (const e of errors) console.error(formatSourceError(e));
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DashboardSpec, TeamDashboards, TeamRules, TeamSpec, TeamSpecs } from '../generate/model.js';
import { dashboardTitle, dashboardUid, SLO_DASHBOARD_SLUG, sloAlertName, sloDashboardTitle } from '../generate/naming.js';
import { dashboardsFileSchema, slugify, type DashboardsFileSpec } from './dashboards-schema.js';
import { findPromqlSyntaxError, hasWindowPlaceholder, scalarPosition, substituteWindow } from './promql.js';
import { rulesFileSchema, type RulesFileSpec } from './rules-schema.js';
import { sortSourceErrors, type SourceError } from './source-error.js';
import { errorAt, parseYamlSource, positionOf, zodIssuesToSourceErrors, type PathSegment, type YamlSource } from './yaml-source.js';

export interface LoadTeamSpecsOptions {
  /** Teams that have a `routes/<team>.yaml`; a rules or dashboards file for any other team is an error. */
  routeTeams: Set<string>;
  /** Allowed alert severities; default critical, warning, info. */
  severities?: string[];
}

export interface LoadTeamSpecsResult {
  /** Present only when there are no errors. */
  specs?: TeamSpecs;
  errors: SourceError[];
  warnings: SourceError[];
}

/** A position in a file, for errors another file's check may report there. */
interface Place {
  file: string;
  line: number;
  col: number;
}

/**
 * One file, checked as far as it can be alone. Only what the checks across files need is kept:
 * the parsed YAML document (every node with its range) is dropped as soon as the file is done.
 * Keeping all of them until the end made a fifth of a 500-team validation garbage collection.
 */
interface CheckedFile<M> {
  team: string;
  /** Present when the file passed its own checks' schema. */
  model?: M;
}

interface CheckedRules extends CheckedFile<TeamRules> {
  /** Where a clash of the team's generated SLO dashboard is reported: its `team:` line. */
  teamAt: Place;
}

/** A dashboard uid or title one file claims; unique across every team. */
interface BoardClaim {
  kind: 'uid' | 'title';
  key: string;
  what: string;
  at: Place;
}

interface CheckedBoards extends CheckedFile<TeamDashboards> {
  claims: BoardClaim[];
}

export async function loadTeamSpecs(dir: string, opts: LoadTeamSpecsOptions): Promise<LoadTeamSpecsResult> {
  const problems: SourceError[] = [];
  const rulesSchema = rulesFileSchema({ severities: opts.severities });
  const rules = await loadFolder(dir, 'rules', (v) => rulesSchema.safeParse(v), problems, opts.routeTeams, checkRules);
  const boards = await loadFolder(dir, 'dashboards', (v) => dashboardsFileSchema.safeParse(v), problems, opts.routeTeams, checkBoards);
  const model = buildModel(rules, boards, problems);
  const errors = sortSourceErrors(problems.filter((e) => e.severity === 'error'));
  const warnings = sortSourceErrors(problems.filter((e) => e.severity === 'warning'));
  return { specs: errors.length === 0 ? model : undefined, errors, warnings };
}

/** A file's own checks after its schema: `spec` is undefined when the schema refused it. */
type CheckFile<T, C> = (src: YamlSource, text: string, team: string, spec: T | undefined, problems: SourceError[]) => C;

function checkRules(src: YamlSource, text: string, team: string, spec: RulesFileSpec | undefined, problems: SourceError[]): CheckedRules {
  checkPromql(src, text, problems, [
    ...exprPaths(src.value, 'alerts', ['expr']).map((p) => ({ path: p, window: false })),
    ...exprPaths(src.value, 'slos', ['errors', 'total']).map((p) => ({ path: p, window: true })),
    ...exprPaths(src.value, 'uptime', ['up']).map((p) => ({ path: p, window: false })),
  ]);
  if (spec) checkRuleNames(src, spec, problems);
  return { team, teamAt: placeOf(src, ['team']), ...(spec && { model: toTeamRules(team, src.file, spec) }) };
}

function checkBoards(src: YamlSource, text: string, team: string, spec: DashboardsFileSpec | undefined, problems: SourceError[]): CheckedBoards {
  const panelPaths = arrayAt(src.value, ['dashboards']).flatMap((_, d) =>
    arrayAt(src.value, ['dashboards', d, 'panels']).map((__, p) => ({ path: ['dashboards', d, 'panels', p, 'expr'], window: false })),
  );
  checkPromql(src, text, problems, panelPaths);
  if (!spec) return { team, claims: [] };
  const { dashboards, claims } = toTeamDashboards(src, team, spec, problems);
  return { team, model: dashboards, claims };
}

function placeOf(src: YamlSource, p: readonly PathSegment[]): Place {
  return { file: src.file, ...positionOf(src, p) };
}

type SafeParse<T> = (value: unknown) => { success: true; data: T } | { success: false; error: { issues: Parameters<typeof zodIssuesToSourceErrors>[1] } };

async function loadFolder<T extends { team: string }, C>(
  dir: string,
  folder: 'rules' | 'dashboards',
  parse: SafeParse<T>,
  problems: SourceError[],
  routeTeams: Set<string>,
  check: CheckFile<T, C>,
): Promise<C[]> {
  const names = await listYaml(path.join(dir, folder));
  const out: C[] = [];
  const teams = new Set<string>();
  for (const name of names) {
    // Positions name the file relative to the config dir, like the routes loader: `rules/x.yaml`.
    const file = `${folder}/${name}`;
    const team = name.replace(/\.ya?ml$/, '');
    if (teams.has(team)) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `${folder}/ has two files for team "${team}" (.yaml and .yml); keep one` });
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const src = parseYamlSource(file, text);
    problems.push(...src.errors);
    if (src.doc.errors.length > 0) continue;
    if (src.value === null || src.value === undefined) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `the file is empty: expected a team ${folder} document (team: …)` });
      continue;
    }
    const result = parse(src.value);
    if (!result.success) problems.push(...zodIssuesToSourceErrors(src, result.error.issues));
    const declared = (src.value as { team?: unknown } | undefined)?.team;
    if (typeof declared === 'string' && declared !== team) {
      problems.push(errorAt(src, ['team'], `team "${declared}" does not match the file name (expected "${team}")`));
    }
    if (!routeTeams.has(team)) {
      const why = folder === 'rules' ? 'its alerts would reach no one' : 'every team in dashboards/ needs one';
      problems.push(errorAt(src, ['team'], `team "${team}" has no routes/${team}.yaml: ${why}`));
    }
    teams.add(team);
    out.push(check(src, text, team, result.success ? result.data : undefined, problems));
  }
  return out;
}

/** YAML file names in `folder`, sorted; hidden entries (ConfigMap mounts' `..data`) skipped. */
async function listYaml(folder: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (err) {
    // Each of rules/ and dashboards/ may be absent.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names: string[] = [];
  for (const name of entries.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort()) {
    // stat, not the dirent type: files mounted from a ConfigMap are symlinks.
    const s = await stat(path.join(folder, name)).catch(() => undefined);
    if (s?.isFile()) names.push(name);
  }
  return names;
}

function arrayAt(value: unknown, p: PathSegment[]): unknown[] {
  let v: unknown = value;
  for (const seg of p) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return Array.isArray(v) ? v : [];
}

/** Paths of the string fields `keys` of every item of the top-level list `list` (raw values, schema or not). */
function exprPaths(value: unknown, list: string, keys: string[]): PathSegment[][] {
  return arrayAt(value, [list]).flatMap((item, i) =>
    keys.filter((k) => typeof (item as Record<string, unknown> | null)?.[k] === 'string').map((k) => [list, i, k]),
  );
}

/** PromQL syntax of each expression, reported at the offending character inside the YAML. */
function checkPromql(src: YamlSource, text: string, problems: SourceError[], exprs: Array<{ path: PathSegment[]; window: boolean }>): void {
  for (const { path: p, window } of exprs) {
    const expr = src.doc.getIn(p);
    // A non-string `expr` (a list, a map, an alias node) is the schema's to report, not ours to parse.
    if (typeof expr !== 'string') continue;
    // SLO expressions are checked with a real window in place of {{window}}; offsets map back.
    const sub = window ? substituteWindow(expr, '5m') : { text: expr, toOriginal: (o: number) => o };
    // Empty expressions and {{window}} outside SLOs are already schema errors; say it once.
    if (expr.trim() === '' || (!window && hasWindowPlaceholder(expr))) continue;
    const err = findPromqlSyntaxError(sub.text);
    if (!err) continue;
    const pos =
      scalarPosition(text, src.lineCounter, src.doc.getIn(p, true), sub.toOriginal(err.offset)) ?? positionOf(src, p);
    problems.push({ file: src.file, ...pos, message: `${describePath(p)}: ${err.message}`, severity: 'error' });
  }
}

function describePath(p: PathSegment[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`)).join('');
}

/** Generated SLO alert names must not collide with the team's own alerts or each other. */
function checkRuleNames(src: YamlSource, spec: RulesFileSpec, problems: SourceError[]): void {
  const taken = new Map(spec.alerts.map((a, i) => [a.name, `alerts[${i}]`]));
  spec.slos.forEach((slo, i) => {
    const name = sloAlertName(slo.name);
    const other = taken.get(name);
    if (other) problems.push(errorAt(src, ['slos', i, 'name'], `SLO alert name "${name}" collides with ${other}; rename one of them`));
    else taken.set(name, `slos[${i}]`);
    if (!slo.runbook) {
      problems.push(errorAt(src, ['slos', i], `SLO "${slo.name}" has no runbook: its burn-rate alerts get no runbook_url`, 'warning'));
    }
  });
}

function buildModel(rules: CheckedRules[], boards: CheckedBoards[], problems: SourceError[]): TeamSpecs {
  const teams = new Map<string, TeamSpec>();
  const teamOf = (team: string): TeamSpec => teams.get(team) ?? teams.set(team, { team }).get(team)!;
  for (const r of rules) if (r.model) teamOf(r.team).rules = r.model;
  for (const b of boards) if (b.model) teamOf(b.team).dashboards = b.model;

  // Uids and titles must be unique across every team's boards, generated SLO boards included.
  const claimed = { uid: new Map<string, Place>(), title: new Map<string, Place>() };
  const claim = ({ kind, key, what, at }: BoardClaim): void => {
    const prev = claimed[kind].get(key);
    if (!prev) return void claimed[kind].set(key, at);
    problems.push({ file: at.file, line: at.line, col: at.col, severity: 'error', message: `${what} "${key}" is already used by ${prev.file}:${prev.line}:${prev.col}` });
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
    }
  }
  return { teams: byTeam.map((t) => teams.get(t)!) };
}

function toTeamRules(team: string, file: string, s: RulesFileSpec): TeamRules {
  return {
    team,
    file,
    namespace: s.namespace,
    alerts: s.alerts.map((a) => ({
      name: a.name,
      expr: a.expr.trim(),
      ...(a.for !== undefined && { for: a.for }),
      severity: a.severity,
      summary: a.summary,
      runbook: a.runbook,
      ...(a.description !== undefined && { description: a.description }),
      labels: a.labels ?? {},
      annotations: a.annotations ?? {},
    })),
    slos: s.slos.map((o) => ({ ...o, errors: o.errors.trim(), total: o.total.trim() })),
    uptime: s.uptime.map((u) => ({ ...u, up: u.up.trim() })),
  };
}

/** The file's boards, and the uids and titles they claim (at their places in the YAML). */
function toTeamDashboards(
  src: YamlSource,
  team: string,
  s: DashboardsFileSpec,
  problems: SourceError[],
): { dashboards: TeamDashboards; claims: BoardClaim[] } {
  const folder = s.folder ?? team;
  const slugs = new Map<string, number>();
  const dashboards: DashboardSpec[] = [];
  const claims: BoardClaim[] = [];
  s.dashboards.forEach((d, i) => {
    const slug = d.name ?? slugify(d.title);
    const where = ['dashboards', i, d.name ? 'name' : 'title'];
    if (slug === '') return void problems.push(errorAt(src, where, 'cannot derive a file name from this title; set `name:`'));
    if (slug === SLO_DASHBOARD_SLUG) return void problems.push(errorAt(src, where, `"${slug}" is reserved for the generated SLO dashboard; set another \`name:\``));
    const first = slugs.get(slug);
    if (first !== undefined) return void problems.push(errorAt(src, where, `dashboard name "${slug}" is already used by dashboards[${first}]; set a distinct \`name:\``));
    slugs.set(slug, i);
    dashboards.push({
      title: d.title,
      slug,
      ...(d.uid !== undefined && { uid: d.uid }),
      ...(d.description !== undefined && { description: d.description }),
      tags: d.tags,
      panels: d.panels.map((p) => ({ ...p, expr: p.expr.trim() })),
    });
    claims.push(
      { kind: 'uid', key: d.uid ?? dashboardUid(team, slug), what: 'dashboard uid', at: placeOf(src, ['dashboards', i, d.uid ? 'uid' : 'title']) },
      { kind: 'title', key: dashboardTitle(folder, d.title), what: 'dashboard title', at: placeOf(src, ['dashboards', i, 'title']) },
    );
  });
  return { dashboards: { team, file: src.file, namespace: s.namespace, folder, dashboards }, claims };
}
