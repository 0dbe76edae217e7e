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

interface Loaded<T> {
  src: YamlSource;
  text: string;
  team: string;
  spec?: T;
}

export async function loadTeamSpecs(dir: string, opts: LoadTeamSpecsOptions): Promise<LoadTeamSpecsResult> {
  const problems: SourceError[] = [];
  const rulesSchema = rulesFileSchema({ severities: opts.severities });
  const rules = await loadFolder(dir, 'rules', (v) => rulesSchema.safeParse(v), problems, opts.routeTeams);
  const boards = await loadFolder(dir, 'dashboards', (v) => dashboardsFileSchema.safeParse(v), problems, opts.routeTeams);

  for (const r of rules) {
    checkPromql(r, problems, [
      ...exprPaths(r.src.value, 'alerts', ['expr']).map((p) => ({ path: p, window: false })),
      ...exprPaths(r.src.value, 'slos', ['errors', 'total']).map((p) => ({ path: p, window: true })),
      ...exprPaths(r.src.value, 'uptime', ['up']).map((p) => ({ path: p, window: false })),
    ]);
    if (r.spec) checkRuleNames(r as Required<Loaded<RulesFileSpec>>, problems);
  }
  for (const b of boards) {
    const panelPaths = arrayAt(b.src.value, ['dashboards']).flatMap((_, d) =>
      arrayAt(b.src.value, ['dashboards', d, 'panels']).map((__, p) => ({ path: ['dashboards', d, 'panels', p, 'expr'], window: false })),
    );
    checkPromql(b, problems, panelPaths);
  }

  const model = buildModel(rules, boards, problems);
  const errors = sortSourceErrors(problems.filter((e) => e.severity === 'error'));
  const warnings = sortSourceErrors(problems.filter((e) => e.severity === 'warning'));
  return { specs: errors.length === 0 ? model : undefined, errors, warnings };
}

type SafeParse<T> = (value: unknown) => { success: true; data: T } | { success: false; error: { issues: Parameters<typeof zodIssuesToSourceErrors>[1] } };

async function loadFolder<T extends { team: string }>(
  dir: string,
  folder: 'rules' | 'dashboards',
  parse: SafeParse<T>,
  problems: SourceError[],
  routeTeams: Set<string>,
): Promise<Array<Loaded<T>>> {
  const names = await listYaml(path.join(dir, folder));
  const out: Array<Loaded<T>> = [];
  for (const name of names) {
    // Positions name the file relative to the config dir, like the routes loader: `rules/x.yaml`.
    const file = `${folder}/${name}`;
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const src = parseYamlSource(file, text);
    const team = name.replace(/\.ya?ml$/, '');
    if (out.some((o) => o.team === team)) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `${folder}/ has two files for team "${team}" (.yaml and .yml); keep one` });
      continue;
    }
    problems.push(...src.errors);
    if (src.doc.errors.length > 0) continue;
    if (src.value === null || src.value === undefined) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `the file is empty: expected a team ${folder} document (team: …)` });
      continue;
    }
    const loaded: Loaded<T> = { src, text, team };
    const result = parse(src.value);
    if (result.success) loaded.spec = result.data;
    else problems.push(...zodIssuesToSourceErrors(src, result.error.issues));
    const declared = (src.value as { team?: unknown } | undefined)?.team;
    if (typeof declared === 'string' && declared !== team) {
      problems.push(errorAt(src, ['team'], `team "${declared}" does not match the file name (expected "${team}")`));
    }
    if (!routeTeams.has(team)) {
      const why = folder === 'rules' ? 'its alerts would reach no one' : 'every team in dashboards/ needs one';
      problems.push(errorAt(src, ['team'], `team "${team}" has no routes/${team}.yaml: ${why}`));
    }
    out.push(loaded);
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
function checkPromql(file: Loaded<unknown>, problems: SourceError[], exprs: Array<{ path: PathSegment[]; window: boolean }>): void {
  for (const { path: p, window } of exprs) {
    const expr = file.src.doc.getIn(p);
    // A non-string `expr` (a list, a map, an alias node) is the schema's to report, not ours to parse.
    if (typeof expr !== 'string') continue;
    // SLO expressions are checked with a real window in place of {{window}}; offsets map back.
    const sub = window ? substituteWindow(expr, '5m') : { text: expr, toOriginal: (o: number) => o };
    // Empty expressions and {{window}} outside SLOs are already schema errors; say it once.
    if (expr.trim() === '' || (!window && hasWindowPlaceholder(expr))) continue;
    const err = findPromqlSyntaxError(sub.text);
    if (!err) continue;
    const pos =
      scalarPosition(file.text, file.src.lineCounter, file.src.doc.getIn(p, true), sub.toOriginal(err.offset)) ?? positionOf(file.src, p);
    problems.push({ file: file.src.file, ...pos, message: `${describePath(p)}: ${err.message}`, severity: 'error' });
  }
}

function describePath(p: PathSegment[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`)).join('');
}

/** Generated SLO alert names must not collide with the team's own alerts or each other. */
function checkRuleNames(r: Required<Loaded<RulesFileSpec>>, problems: SourceError[]): void {
  const taken = new Map(r.spec.alerts.map((a, i) => [a.name, `alerts[${i}]`]));
  r.spec.slos.forEach((slo, i) => {
    const name = sloAlertName(slo.name);
    const other = taken.get(name);
    if (other) problems.push(errorAt(r.src, ['slos', i, 'name'], `SLO alert name "${name}" collides with ${other}; rename one of them`));
    else taken.set(name, `slos[${i}]`);
    if (!slo.runbook) {
      problems.push(errorAt(r.src, ['slos', i], `SLO "${slo.name}" has no runbook: its burn-rate alerts get no runbook_url`, 'warning'));
    }
  });
}

interface Claim {
  src: YamlSource;
  path: PathSegment[];
}

function buildModel(rules: Array<Loaded<RulesFileSpec>>, boards: Array<Loaded<DashboardsFileSpec>>, problems: SourceError[]): TeamSpecs {
  const teams = new Map<string, TeamSpec>();
  const teamOf = (team: string): TeamSpec => teams.get(team) ?? teams.set(team, { team }).get(team)!;
  for (const r of rules) if (r.spec) teamOf(r.team).rules = toTeamRules(r.team, r.src.file, r.spec);
  for (const b of boards) if (b.spec) teamOf(b.team).dashboards = toTeamDashboards(b as Required<Loaded<DashboardsFileSpec>>, problems);

  // Uids and titles must be unique across every team's boards, generated SLO boards included.
  const uids = new Map<string, Claim>();
  const titles = new Map<string, Claim>();
  const claim = (map: Map<string, Claim>, key: string, what: string, c: Claim): void => {
    const prev = map.get(key);
    if (!prev) return void map.set(key, c);
    const at = positionOf(prev.src, prev.path);
    problems.push(errorAt(c.src, c.path, `${what} "${key}" is already used by ${prev.src.file}:${at.line}:${at.col}`));
  };
  const byTeam = [...teams.keys()].sort();
  const boardsOf = new Map(boards.map((x) => [x.team, x]));
  const rulesOf = new Map(rules.map((x) => [x.team, x]));
  for (const team of byTeam) {
    const t = teams.get(team)!;
    const b = boardsOf.get(team);
    if (t.dashboards && b) {
      t.dashboards.dashboards.forEach((d, i) => {
        claim(uids, d.uid ?? dashboardUid(team, d.slug), 'dashboard uid', { src: b.src, path: ['dashboards', i, d.uid ? 'uid' : 'title'] });
        claim(titles, dashboardTitle(t.dashboards!.folder, d.title), 'dashboard title', { src: b.src, path: ['dashboards', i, 'title'] });
      });
    }
    const r = rulesOf.get(team);
    if (t.rules && r && (t.rules.slos.length > 0 || t.rules.uptime.length > 0)) {
      const folder = t.dashboards?.folder ?? team;
      const at = { src: r.src, path: ['team'] };
      claim(uids, dashboardUid(team, SLO_DASHBOARD_SLUG), 'dashboard uid', at);
      claim(titles, sloDashboardTitle(folder, team), 'generated SLO dashboard title', at);
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

function toTeamDashboards(b: Required<Loaded<DashboardsFileSpec>>, problems: SourceError[]): TeamDashboards {
  const s = b.spec;
  const slugs = new Map<string, number>();
  const dashboards: DashboardSpec[] = [];
  s.dashboards.forEach((d, i) => {
    const slug = d.name ?? slugify(d.title);
    const where = ['dashboards', i, d.name ? 'name' : 'title'];
    if (slug === '') return void problems.push(errorAt(b.src, where, 'cannot derive a file name from this title; set `name:`'));
    if (slug === SLO_DASHBOARD_SLUG) return void problems.push(errorAt(b.src, where, `"${slug}" is reserved for the generated SLO dashboard; set another \`name:\``));
    const first = slugs.get(slug);
    if (first !== undefined) return void problems.push(errorAt(b.src, where, `dashboard name "${slug}" is already used by dashboards[${first}]; set a distinct \`name:\``));
    slugs.set(slug, i);
    dashboards.push({
      title: d.title,
      slug,
      ...(d.uid !== undefined && { uid: d.uid }),
      ...(d.description !== undefined && { description: d.description }),
      tags: d.tags,
      panels: d.panels.map((p) => ({ ...p, expr: p.expr.trim() })),
    });
  });
  return { team: b.team, file: b.src.file, namespace: s.namespace, folder: s.folder ?? b.team, dashboards };
}
