/**
 * @module config/check-team-file
 * One `rules/` or `dashboards/` file checked as far as it can be alone: read, YAML, schema, PromQL
 * syntax and types, Go template syntax of alert annotations and labels, team/file name, the team's
 * routes file, names inside the file; and turned into the
 * generator's model. Checks across files (uids, titles, ConfigMap keys) are load-team-specs.ts's.
 *
 * The file is read synchronously: a config file is small, and reading 500 of them one
 * `await readFile` after another (four thread-pool round trips each) left the thread idle for
 * ~0.25 s of a cold 500-team load and generate that took ~2.25 s.
 *
 * Its YAML is read quickly first (yaml-source.ts `checkYamlText`, no node positions), and the
 * checks run on that. Only if they find a problem is the file read again with positions and
 * checked again, so every problem is reported as before; most files have none.
 */
import path from 'node:path';
import { isAlias, isScalar } from 'yaml';
import type { DashboardSpec, TeamDashboards, TeamRules } from '../generate/model.js';
import { dashboardKey, dashboardTitle, dashboardUid, SLO_DASHBOARD_SLUG, sloAlertName } from '../generate/naming.js';
import { checkRuleLabelGrouping } from './check-rule-label-grouping.js';
import { checkRuleOtherTeam } from './check-rule-other-team.js';
import { checkSloGrouping } from './check-slo-grouping.js';
import { configFileText } from './config-text.js';
import { describePath } from './describe-path.js';
import { dashboardsFileSchema, slugify, UNITS_WITH_SCALE, type DashboardsFileSpec } from './dashboards-schema.js';
import { findGoTemplateError } from './go-template.js';
import { substituteGrafanaGlobals, unknownVariableMessage } from './grafana-variables.js';
import { findPromqlError, hasWindowPlaceholder, scalarPosition, substituteWindow, type PromqlResultRule } from './promql.js';
import { configRootSync, readConfigFileSync, type ConfigRoot } from './read-config-file.js';
import { unreadRoutesFileHint, type NonFileEntries } from './skipped-entry.js';
import { rulesFileSchema, type RulesFileSpec } from './rules-schema.js';
import type { SourceError } from './source-error.js';
import { fileNameProblem, possessive, teamMismatchMessage } from './team-name.js';
import { checkYamlText, errorAt, noDocumentMessage, positionOf, readOnProblems, zodIssuesToSourceErrors, type PathSegment, type YamlSource } from './yaml-source.js';

export type TeamFolder = 'rules' | 'dashboards';

/** One file to check. */
export interface TeamFileJob {
  folder: TeamFolder;
  /** File name inside the folder: `payments.yaml`. */
  name: string;
}

/** What every job of one load shares. */
export interface TeamFileContext {
  /** The config dir. */
  dir: string;
  /** The load's resolution of it and its folders, which listed the files (else resolved here). */
  root?: ConfigRoot;
  /** Teams that have a `routes/<team>.yaml`. */
  routeTeams: ReadonlySet<string>;
  /** The names in routes/, to name a team's routes file written with another ending (`orders.json`). */
  routesEntries?: readonly string[];
  /** A file found a link to nothing when read: an error, or a warning (skipped) for the gateway. */
  nonFileEntries?: NonFileEntries;
  severities?: string[];
  /**
   * Checking for uptime reports only (load-team-specs.ts rulesOnly): checks of what only the
   * generator reads (the SLOs' grouping) are left out, so a team's SLO that a newer `validate`
   * refuses does not stop every team's uptime report.
   */
  forUptime?: boolean;
  /**
   * Every team's `owns.namespaces` and its routes file, when routes/ was read without errors:
   * the objects `generate` writes of a team go to one of its own namespaces only.
   */
  teamNamespaces?: ReadonlyMap<string, { file: string; namespaces: readonly string[] }>;
}

/** A position in a file, for errors another file's check may report there. */
export interface Place {
  file: string;
  line: number;
  col: number;
}

/** A Place found when first asked for: a quickly read file is only parsed with positions then. */
export type LazyPlace = () => Place;

/**
 * What the checks across files need of one file. The parsed YAML document (every node with its
 * range) is dropped as soon as the file is done: keeping all of them until the end made a fifth
 * of a 500-team validation garbage collection.
 */
interface CheckedFile<M> {
  team: string;
  /** Present when the file passed its own checks' schema. */
  model?: M;
}

export interface CheckedRules extends CheckedFile<TeamRules> {
  /** Where a clash of the team's generated SLO dashboard is reported: its `team:` line. */
  teamAt: LazyPlace;
}

/** A dashboard uid, title or ConfigMap key one file claims; unique across every team. */
export interface BoardClaim {
  kind: 'uid' | 'title' | 'key';
  key: string;
  what: string;
  at: LazyPlace;
}

export interface CheckedBoards extends CheckedFile<TeamDashboards> {
  claims: BoardClaim[];
  /** Where a problem of the team's whole ConfigMap (its size) is reported: its `team:` line. */
  teamAt: LazyPlace;
}

export interface TeamFileResult {
  /** Errors and warnings, in the order the checks found them. */
  problems: SourceError[];
  /** Absent when the file could not be read or parsed, or is empty. */
  rules?: CheckedRules;
  boards?: CheckedBoards;
}

/** A checker for the files of one load: the rules schema (it depends on the severities) is built once, not per file. */
export function teamFileChecker(ctx: TeamFileContext): (job: TeamFileJob) => TeamFileResult {
  const rulesSchema = rulesFileSchema({ severities: ctx.severities });
  const root = ctx.root ?? configRootSync(ctx.dir, ctx.nonFileEntries ?? 'error');
  return ({ folder, name }) => {
    // Positions name the file relative to the config dir, like the routes loader: `rules/x.yaml`.
    const file = `${folder}/${name}`;
    const team = teamOfFileName(name);
    const read = readConfigFileSync(root, file);
    if (read.problem) return { problems: [read.problem] };
    const { text, error } = configFileText(file, read.bytes);
    if (error) return { problems: [error] };
    return checkYamlText(file, text, (src) => checkSource(src, text, team, folder));
  };

  function checkSource(src: YamlSource, text: string, team: string, folder: TeamFolder): TeamFileResult {
    const problems: SourceError[] = [...src.errors];
    if (src.errors.some((e) => e.severity === 'error')) {
      // A mis-indented line does not hide the file's other mistakes: they are reported in the same run.
      problems.push(...readOnProblems(src, (again, againText) => checkSource(again, againText, team, folder).problems));
      return { problems };
    }
    if (src.value === null || src.value === undefined) {
      problems.push({ file: src.file, line: 1, col: 1, severity: 'error', message: noDocumentMessage(src, folder) });
      return { problems };
    }
    if (folder === 'rules') {
      const result = rulesSchema.safeParse(withSourceText(src));
      if (!result.success) problems.push(...zodIssuesToSourceErrors(src, result.error.issues, rulesSchema));
      checkTeamName(src, team, folder, ctx, problems);
      checkNamespace(src, team, folder, ctx, problems);
      return { problems, rules: checkRules(src, text, team, result.data, problems, ctx.forUptime === true, ctx.routeTeams) };
    }
    const result = dashboardsFileSchema.safeParse(src.value);
    if (!result.success) problems.push(...zodIssuesToSourceErrors(src, result.error.issues, dashboardsFileSchema));
    checkTeamName(src, team, folder, ctx, problems);
    checkNamespace(src, team, folder, ctx, problems);
    return { problems, boards: checkBoards(src, text, team, result.data, problems) };
  }
}

/** The file's `team:` is its name's, and that team has a routes file. */
function checkTeamName(src: YamlSource, team: string, folder: TeamFolder, ctx: TeamFileContext, problems: SourceError[]): void {
  const declared = (src.value as { team?: unknown } | undefined)?.team;
  const misnamed = fileNameProblem(path.basename(src.file), team, declared);
  // Prefixed with the field, as routes/ words them (routes-semantics) and the schema's errors are.
  if (misnamed) problems.push(errorAt(src, ['team'], `team: ${misnamed}`));
  else if (typeof declared === 'string' && declared !== team) {
    problems.push(errorAt(src, ['team'], `team: ${teamMismatchMessage(src.file, declared, team, ctx.routeTeams.has(declared))}`));
  }
  // A misnamed file's team is the name inside it: its routes file is looked for under that name.
  if (misnamed && typeof declared === 'string') team = declared;
  if (!ctx.routeTeams.has(team)) {
    const why = folder === 'rules' ? 'its alerts would reach no one' : 'every team in dashboards/ needs one';
    const otherEnding = unreadRoutesFileHint(team, ctx.routesEntries ?? []);
    problems.push(errorAt(src, ['team'], `team: "${team}" has no routes/${team}.yaml: ${why}${otherEnding ? `; ${otherEnding}` : ''}`));
  }
}

/**
 * Kubernetes' own namespaces: `kube-system`, `kube-public`, `kube-node-lease` and the `kube-`
 * prefix it reserves for its add-ons, and `default`, where an object lands when no namespace is
 * given. No team's objects belong there unless the team owns it (a platform team's).
 */
const isSystemNamespace = (namespace: string): boolean => namespace === 'default' || namespace.startsWith('kube-');

/**
 * The file's `namespace:` is not another team's (an error), not a Kubernetes system namespace
 * the team does not list itself (an error, even for a team that lists none), and is one of its
 * team's `owns.namespaces` (a warning otherwise, for a team that lists some). Team files come from
 * pull requests, and the PrometheusRule and ConfigMap `generate` writes are applied with the
 * platform's rights: without this, team payments could write objects into prisons' namespace or
 * kube-system.
 */
function checkNamespace(src: YamlSource, team: string, folder: TeamFolder, ctx: TeamFileContext, problems: SourceError[]): void {
  const namespace = (src.value as { namespace?: unknown } | undefined)?.namespace;
  const own = ctx.teamNamespaces?.get(team);
  if (typeof namespace !== 'string' || own === undefined || own.namespaces.includes(namespace)) return;
  const object = folder === 'rules' ? 'PrometheusRule' : 'dashboards ConfigMap';
  const choices = own.namespaces.length > 0 ? `: ${own.namespaces.join(', ')}` : ` (routes/${team}.yaml owns.namespaces lists none yet)`;
  for (const [other, owned] of ctx.teamNamespaces!) {
    if (other === team || !owned.namespaces.includes(namespace)) continue;
    const message = `namespace: "${namespace}" is team ${possessive(other)} (${owned.file} owns.namespaces): team ${possessive(team)} ${object} goes to one of its own namespaces${choices}`;
    return void problems.push(errorAt(src, ['namespace'], message));
  }
  if (isSystemNamespace(namespace)) {
    const message = `namespace: "${namespace}" is a Kubernetes system namespace (kube-*, default), and team objects do not belong there: the cluster's own components run there, and only a team that lists it in its routes file's owns.namespaces may put objects there; team ${possessive(team)} ${object} goes to one of its own namespaces${choices}`;
    return void problems.push(errorAt(src, ['namespace'], message));
  }
  // A namespace no team owns is only warned of: platforms often keep dashboards (and some rules)
  // in a shared namespace such as `monitoring`, which no team owns, and the objects' names are the
  // team's own, so they cannot replace another's there.
  if (own.namespaces.length === 0) return;
  const message = `namespace: "${namespace}" is not among team ${possessive(team)} namespaces (${own.file} owns.namespaces), and no team owns it: check its ${object} belongs there (a shared namespace such as monitoring), or use one of its own${choices}`;
  problems.push(errorAt(src, ['namespace'], message, 'warning'));
}

/**
 * The rules file's value with every unquoted number or boolean among an alert's `labels` and
 * `annotations` values, and in its duration fields (an alert's `for`, an SLO's `window`, an uptime
 * check's `interval`), replaced by its text in the file. YAML reads `version: 1.20` as the number
 * 1.2 (and `0x1F` as 31, `1e3` as 1000, `True` as true, `for: 0` as 0), but Prometheus reads a rule
 * file's label and annotation values and durations as strings, keeping the text as written ("1.20",
 * "0"); turning the number back into text would silently change the value. So `for: 0` is the
 * duration "0", as Prometheus takes it, and `for: 5` the text "5", which it refuses (no unit). The
 * text comes from `yaml`'s document (for a file read quickly, it is parsed now: only files with
 * such values pay for it). A value whose text cannot be found (not a scalar) is left as it is, for
 * the schema to refuse.
 */
function withSourceText(src: YamlSource): unknown {
  if (!isPlainObject(src.value)) return src.value;
  const isNonText = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean';
  let root: Record<string, unknown> | undefined;
  for (const [list, durations] of SOURCE_TEXT_FIELDS) {
    const items = src.value[list];
    if (!Array.isArray(items)) continue;
    let listCopy: unknown[] | undefined;
    items.forEach((item: unknown, i) => {
      if (!isPlainObject(item)) return;
      let copy: Record<string, unknown> | undefined;
      const asText = (container: Record<string, unknown>, key: string, p: PathSegment[]): unknown => {
        const text = scalarSourceText(src, p);
        return text === undefined ? container[key] : text;
      };
      for (const key of durations) {
        if (isNonText(item[key])) (copy ??= { ...item })[key] = asText(item, key, [list, i, key]);
      }
      if (list === 'alerts') {
        for (const key of ['labels', 'annotations']) {
          const map = item[key];
          if (!isPlainObject(map) || !Object.values(map).some(isNonText)) continue;
          // fromEntries, not assignment: a key named `__proto__` stays a key (model/text-map-schema.ts).
          (copy ??= { ...item })[key] = Object.fromEntries(
            Object.entries(map).map(([name, v]) => [name, isNonText(v) ? asText(map, name, [list, i, key, name]) : v]),
          );
        }
      }
      if (copy) (listCopy ??= [...items])[i] = copy;
    });
    if (listCopy) (root ??= { ...src.value })[list] = listCopy;
  }
  return root ?? src.value;
}

/** The lists of a rules file whose duration fields (and, for alerts, label and annotation values) are read as the text written. */
const SOURCE_TEXT_FIELDS = [
  ['alerts', ['for', 'keep_firing_for']],
  ['slos', ['window']],
  ['uptime', ['interval']],
] as const;

/** The text of the plain scalar at `p` (through an alias), as written in the file. */
function scalarSourceText(src: YamlSource, p: PathSegment[]): string | undefined {
  let node: unknown = src.doc.getIn(p, true);
  if (isAlias(node)) node = node.resolve(src.doc);
  return isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function teamOfFileName(name: string): string {
  return name.replace(/\.ya?ml$/, '');
}

/**
 * What each PromQL field must evaluate to. Prometheus' parser takes any type at the top, so
 * `up[10m]` or `"a"` passes promtool; where the expression is used decides.
 */
const RESULT: Readonly<Record<'alert' | 'slo' | 'uptime' | 'timeseries' | 'stat' | 'gauge', PromqlResultRule>> = {
  alert: { types: ['instant vector', 'scalar'], why: 'Prometheus fails such an alert at every evaluation: "rule result is not a vector or scalar"' },
  slo: { types: ['instant vector', 'scalar'], why: 'the generated recording rules divide errors by total' },
  uptime: {
    types: ['instant vector'],
    why: 'uptime counts the samples of its series, 1 up and 0 down, over ranges of its own',
    rangeHint: 'write it without a range, as probe_success{…}',
  },
  timeseries: { types: ['instant vector', 'scalar'], why: "Grafana runs a timeseries panel's query as a range query, which refuses anything else" },
  // Their instant query may answer a range vector, but these panels reduce each series to its last
  // sample (lastNotNull): `x[5m]` shows x's latest raw sample, `rate(x[5m])[1h:]` the latest rate;
  // almost never what was meant.
  stat: lastValueOnly('stat'),
  gauge: lastValueOnly('gauge'),
};

function lastValueOnly(panel: 'stat' | 'gauge'): PromqlResultRule {
  return { types: ['instant vector', 'scalar'], why: `a ${panel} panel shows one value per series: of a range vector, only its last sample` };
}

/** What a panel's query must evaluate to, by panel type; a table shows a range vector's samples as rows. */
const PANEL_RESULT: ReadonlyMap<unknown, PromqlResultRule> = new Map([
  ['timeseries', RESULT.timeseries],
  ['stat', RESULT.stat],
  ['gauge', RESULT.gauge],
]);

function checkRules(src: YamlSource, text: string, team: string, spec: RulesFileSpec | undefined, problems: SourceError[], forUptime: boolean, routeTeams: ReadonlySet<string>): CheckedRules {
  checkPromql(src, text, problems, [
    ...exprPaths(src.value, 'alerts', ['expr']).map((p) => ({ path: p, window: false, result: RESULT.alert })),
    ...exprPaths(src.value, 'slos', ['errors', 'total']).map((p) => ({ path: p, window: true, result: RESULT.slo })),
    ...exprPaths(src.value, 'uptime', ['up']).map((p) => ({ path: p, window: false, result: RESULT.uptime })),
  ]);
  checkUniqueNames(src, problems);
  checkDescriptionGivenTwice(src, problems);
  checkTemplates(src, text, problems, templatePaths(src.value));
  if (spec) {
    checkRuleNames(src, spec, problems);
    if (!forUptime) {
      checkSloGrouping(src, spec, problems);
      checkRuleLabelGrouping(src, spec, team, problems);
      checkRuleOtherTeam(src, spec, team, routeTeams, problems);
    }
  }
  return { team, teamAt: placeOf(src, ['team']), ...(spec && { model: toTeamRules(team, src.file, spec) }) };
}

function checkBoards(src: YamlSource, text: string, team: string, spec: DashboardsFileSpec | undefined, problems: SourceError[]): CheckedBoards {
  const panelPaths = arrayAt(src.value, ['dashboards']).flatMap((_, d) =>
    arrayAt(src.value, ['dashboards', d, 'panels']).map((panel, p) => {
      const result = PANEL_RESULT.get((panel as Record<string, unknown> | null)?.type);
      return { path: ['dashboards', d, 'panels', p, 'expr'], window: false, grafana: true, ...(result && { result }) };
    }),
  );
  checkPromql(src, text, problems, panelPaths);
  checkGaugeScales(src, problems);
  const teamAt = placeOf(src, ['team']);
  if (!spec) return { team, claims: [], teamAt };
  const { dashboards, claims } = toTeamDashboards(src, team, spec, problems);
  return { team, model: dashboards, claims, teamAt };
}

/**
 * A gauge needs a scale. Without `max` Grafana takes the highest value the panel shows (and
 * without `min` the lowest), so a gauge of one series looks the same whatever its value. Only
 * `percent` and `percentunit` bring a scale of their own. A warning: the board still works as a
 * number, and several series do scale against each other.
 */
function checkGaugeScales(src: YamlSource, problems: SourceError[]): void {
  arrayAt(src.value, ['dashboards']).forEach((_, d) => {
    arrayAt(src.value, ['dashboards', d, 'panels']).forEach((panel, p) => {
      if (!isPlainObject(panel) || panel.type !== 'gauge' || panel.max !== undefined) return;
      if (typeof panel.unit === 'string' && UNITS_WITH_SCALE.has(panel.unit)) return;
      const where: PathSegment[] = ['dashboards', d, 'panels', p];
      const message =
        'gauge has no max: Grafana scales a gauge to the values it shows, so a lone series looks the same whatever its value; ' +
        'set max: (and min:), or unit: percent (0–100) or percentunit (0–1)';
      problems.push(errorAt(src, [...where, 'type'], `${describePath(where)}: ${message}`, 'warning'));
    });
  });
}

/** Found now in a parsed document (which is then dropped); when first asked for in a quickly read one. */
function placeOf(src: YamlSource, p: readonly PathSegment[]): LazyPlace {
  if (src.quick) return () => ({ file: src.file, ...positionOf(src, p) });
  const place = { file: src.file, ...positionOf(src, p) };
  return () => place;
}

/** The raw value at `p` (schema or not). */
function valueAt(value: unknown, p: readonly PathSegment[]): unknown {
  let v: unknown = value;
  for (const seg of p) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

function arrayAt(value: unknown, p: PathSegment[]): unknown[] {
  const v = valueAt(value, p);
  return Array.isArray(v) ? v : [];
}

/** Paths of the string fields `keys` of every item of the top-level list `list` (raw values, schema or not). */
function exprPaths(value: unknown, list: string, keys: string[]): PathSegment[][] {
  return arrayAt(value, [list]).flatMap((item, i) =>
    keys.filter((k) => typeof (item as Record<string, unknown> | null)?.[k] === 'string').map((k) => [list, i, k]),
  );
}

/** PromQL syntax and types of each expression (overall: `result`), reported at the offending character inside the YAML. */
function checkPromql(
  src: YamlSource,
  text: string,
  problems: SourceError[],
  exprs: Array<{ path: PathSegment[]; window: boolean; grafana?: boolean; result?: PromqlResultRule }>,
): void {
  for (const { path: p, window, grafana, result } of exprs) {
    const expr = valueAt(src.value, p);
    // A non-string `expr` (a list, a map) is the schema's to report, not ours to parse.
    if (typeof expr !== 'string') continue;
    // SLO expressions are checked with a real window in place of {{window}}; offsets map back.
    // Panel queries may use Grafana's global variables ($__rate_interval), replaced before Prometheus sees them.
    const sub = window ? substituteWindow(expr, '5m') : grafana ? substituteGrafanaGlobals(expr) : { text: expr, toOriginal: (o: number) => o };
    // Empty expressions and {{window}} outside SLOs are already schema errors; say it once.
    if (expr.trim() === '' || (!window && hasWindowPlaceholder(expr))) continue;
    const err = findPromqlError(sub.text, { result });
    if (!err) continue;
    const message = (grafana && unknownVariableMessage(sub.text, err.offset)) || err.message;
    const pos =
      scalarPosition(text, src.lineCounter, src.doc.getIn(p, true), sub.toOriginal(err.offset)) ?? positionOf(src, p);
    problems.push({ file: src.file, ...pos, message: `${describePath(p)}: ${message}`, severity: 'error' });
  }
}

/**
 * Paths of every raw string that becomes an annotation or label value of a generated alerting
 * rule (generate/prometheus-rule.ts and generate/slo.ts): an alert's summary, description,
 * runbook (runbook_url), labels and annotations; an SLO's description (the end of its alerts'
 * description) and runbook.
 */
function templatePaths(value: unknown): PathSegment[][] {
  const maps = (list: string, i: number, key: string): PathSegment[][] => {
    const m = valueAt(value, [list, i, key]);
    if (!m || typeof m !== 'object' || Array.isArray(m)) return [];
    return Object.keys(m).filter((k) => typeof (m as Record<string, unknown>)[k] === 'string').map((k) => [list, i, key, k]);
  };
  return [
    ...exprPaths(value, 'alerts', ['summary', 'description', 'runbook']),
    ...arrayAt(value, ['alerts']).flatMap((_, i) => [...maps('alerts', i, 'labels'), ...maps('alerts', i, 'annotations')]),
    ...exprPaths(value, 'slos', ['description', 'runbook']),
  ];
}

/**
 * Prometheus parses annotation and label values of alerting rules as Go templates, and
 * `promtool check rules` refuses a rule whose template does not parse: each such value is checked
 * here (config/go-template.ts), the error reported at its character inside the YAML.
 */
function checkTemplates(src: YamlSource, text: string, problems: SourceError[], paths: PathSegment[][]): void {
  for (const p of paths) {
    const value = valueAt(src.value, p);
    if (typeof value !== 'string') continue;
    const err = findGoTemplateError(value);
    if (!err) continue;
    const pos = scalarPosition(text, src.lineCounter, src.doc.getIn(p, true), err.offset) ?? positionOf(src, p);
    problems.push({
      file: src.file,
      ...pos,
      message: `${describePath(p)}: Go template error: ${err.message} (Prometheus expands alert annotations and labels as Go templates)`,
      severity: 'error',
    });
  }
}

/** The names that must be unique in each list of a rules file, and what a duplicate is called. */
const UNIQUE_NAMES: ReadonlyArray<{ list: string; key: string; what: string }> = [
  { list: 'alerts', key: 'name', what: 'alert name' },
  { list: 'slos', key: 'name', what: 'SLO name' },
  { list: 'uptime', key: 'service', what: 'uptime service' },
];

/**
 * Duplicate names, on the raw value (schema or not), like checkPromql: a schema refinement of
 * the list would be skipped by zod whenever any item has another error, and validate is to
 * report every error in one run.
 */
function checkUniqueNames(src: YamlSource, problems: SourceError[]): void {
  for (const { list, key, what } of UNIQUE_NAMES) {
    const seen = new Map<string, number>();
    arrayAt(src.value, [list]).forEach((item, i) => {
      const name = (item as Record<string, unknown> | null)?.[key];
      // A missing or non-string name is the schema's to report.
      if (typeof name !== 'string') return;
      const first = seen.get(name);
      if (first === undefined) seen.set(name, i);
      else {
        // By line, which an editor goes to; the index alone had the author count items.
        const { line } = positionOf(src, [list, first, key]);
        problems.push(errorAt(src, [list, i, key], `${describePath([list, i, key])}: duplicate ${what} "${name}" (first defined at line ${line}, ${describePath([list, first])})`));
      }
    });
  }
}

/**
 * An alert's `description` and its `annotations.description` both become the generated rule's
 * `description` annotation (generate/prometheus-rule.ts): given both, one would silently replace
 * the other. Either alone is fine (Prometheus users often write it among the annotations). On
 * the raw value, like checkUniqueNames, so it is reported with the schema's errors.
 */
function checkDescriptionGivenTwice(src: YamlSource, problems: SourceError[]): void {
  arrayAt(src.value, ['alerts']).forEach((alert, i) => {
    if (!isPlainObject(alert) || !Object.hasOwn(alert, 'description')) return;
    const annotations = alert.annotations;
    if (!isPlainObject(annotations) || !Object.hasOwn(annotations, 'description')) return;
    const where: PathSegment[] = ['alerts', i, 'annotations', 'description'];
    const message = `the alert's description is given twice, here and as ${describePath(['alerts', i, 'description'])} (both become its "description" annotation); keep one`;
    problems.push(errorAt(src, where, `${describePath(where)}: ${message}`));
  });
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

function toTeamRules(team: string, file: string, s: RulesFileSpec): TeamRules {
  return {
    team,
    file,
    namespace: s.namespace,
    alerts: s.alerts.map((a) => ({
      name: a.name,
      expr: a.expr.trim(),
      ...(a.for !== undefined && { for: a.for }),
      ...(a.keep_firing_for !== undefined && { keepFiringFor: a.keep_firing_for }),
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

/** The file's boards, and the uids, titles and ConfigMap keys they claim (at their places in the YAML). */
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
      { kind: 'key', key: dashboardKey(team, slug), what: 'dashboard ConfigMap key', at: placeOf(src, where) },
    );
  });
  return { dashboards: { team, file: src.file, namespace: s.namespace, folder, dashboards }, claims };
}
