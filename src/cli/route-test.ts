/**
 * @module cli/route-test
 * `alertgate route-test --labels 'k=v,k2="quoted, with comma"' [--json] [--config DIR]`: which
 * team, routes and receivers an alert with these labels would reach, using the same attribution
 * and routing code as the gateway. `--json` prints exactly one object on stdout; warnings always
 * go to stderr.
 *
 * Labels use the matcher quoting rules (optional `{}`, `"…"` with `\"`, `\\`, `\n`), so a value
 * copied from an Alertmanager matcher works as-is.
 *
 * It also lists the maintenance windows of the team's routes file that cover the alert (all of a
 * window's matchers match; none: every alert), and whether each is open now: while one is, the
 * gateway holds the alert and delivers it to these receivers only when the window ends, if it
 * still fires. Without them a pull request adding a window could not test what the window catches.
 * Ad-hoc windows (POST /v1/maintenance) are in the gateway's store, out of reach here.
 */
import { createAttributor, type AttributedBy } from '../attribute/attribute.js';
import { loadRoutingConfig } from '../config/load-routes.js';
import { formatMatcher, parseMatchers } from '../config/matchers.js';
import { formatSourceError, printable } from '../config/source-error.js';
import type { TeamConfig } from '../config/types.js';
import { configWindowOpen } from '../maintenance/windows.js';
import type { Labels } from '../model/alert.js';
import type { Target } from '../model/target.js';
import { resolveRoutes, type MatchedRoute } from '../route/resolve-targets.js';
import { CONFIG_OPTION, configOptionHelp, resolveConfigDir } from './config-dir.js';
import type { Command } from './io.js';
import { parseOptions } from './parse-options.js';

export const USAGE = `usage: alertgate route-test --labels 'k=v,k2="v, with comma"' [--json] [--config DIR]`;

/** What `alertgate route-test --help` adds to the usage line. */
export const HELP = `Show which team (and why), routes, receivers and maintenance windows of the config dir
an alert with these labels reaches.

options:
  --labels 'k=v,…'  the alert's labels, matcher quoting rules; may be given more than once (they add up)
  --json            print exactly one JSON object on stdout (warnings stay on stderr)
${configOptionHelp(20)}

exit codes: 0 shown; 1 invalid config or no config dir; 2 usage error or bad --labels`;

/** Receiver as shown to users: no secrets, the PagerDuty team only when it is not the alert's team. */
export type ReceiverView = { type: 'slack'; channel: string } | { type: 'pagerduty'; team?: string };

/** A maintenance window of the team's routes file that covers the alert. */
export interface MaintenanceView {
  /** 0-based position in the team's `maintenance:` list. */
  index: number;
  reason: string;
  matchers: string[];
  /** A scheduled window (cron, duration, its zone) or a one-off one (start, end), as configured. */
  schedule?: string;
  duration?: string;
  timezone?: string;
  start?: string;
  end?: string;
  /** Open now: the gateway holds the alert until `until`. */
  open: boolean;
  until?: string;
}

export interface RouteTestResult {
  team: string;
  attributedBy: AttributedBy;
  routes: MatchedRoute[];
  receivers: ReceiverView[];
  maintenance: MaintenanceView[];
}

/** The team's config windows covering `labels`, as the gateway's hold decides it (maintenance/windows.ts). */
export function coveringWindows(labels: Labels, team: TeamConfig, now: Date): MaintenanceView[] {
  return team.maintenance.flatMap((m, index) => {
    if (!m.matchers.every((set) => set.matches(labels))) return [];
    const open = configWindowOpen(team.team, m, index, now);
    const when =
      m.schedule !== undefined ? { schedule: m.schedule, duration: m.duration!, timezone: m.timezone ?? 'UTC' } : { start: m.start!, end: m.end! };
    return [{ index, reason: m.reason, matchers: m.matchers.map((set) => set.source), ...when, open: !!open, ...(open ? { until: open.end.toISOString() } : {}) }];
  });
}

/**
 * Parse `k=v,k2="quoted"` into labels; throws on anything but `=` pairs or a repeated name.
 * Several texts (`--labels` given more than once) add up, a name given twice among them refused.
 */
export function parseLabelsArg(...texts: string[]): Labels {
  const labels: Labels = {};
  for (const m of texts.flatMap((text) => parseMatchers(text).matchers)) {
    if (m.op !== '=') throw new Error(`labels are name=value pairs, got operator "${m.op}" for ${m.name}`);
    if (Object.hasOwn(labels, m.name)) throw new Error(`label "${m.name}" given twice`);
    labels[m.name] = m.value;
  }
  return labels;
}

/**
 * A hint for Alertmanager's `bad matcher format: y`, which is all a user gets for
 * `a=1,b=x,y`: an unquoted comma ends a value there, as in Alertmanager (so the text keeps
 * meaning what it means in an alertmanager.yml), and `y` is left as a matcher of its own. When
 * the refused piece follows a `name=value` pair, this names that pair quoted with the piece in
 * it (`b="x,y"`); otherwise nothing. Undefined for other errors.
 */
export function commaInValueHint(text: string, message: string): string | undefined {
  const bad = /^bad matcher format: ([^]*)$/.exec(message)?.[1];
  if (bad === undefined) return undefined;
  // The refused piece follows a comma; what comes before it parsed (pieces are parsed in order).
  // Its first occurrence may sit inside an earlier quoted value, so try each in turn.
  for (let at = text.indexOf(`,${bad}`); at !== -1; at = text.indexOf(`,${bad}`, at + 1)) {
    let before;
    try {
      before = parseMatchers(text.slice(0, at)).matchers.at(-1);
    } catch {
      continue;
    }
    if (!before || before.op !== '=') return undefined;
    const quoted = formatMatcher({ ...before, value: `${before.value},${bad.trim()}` });
    return `a comma inside a value must be quoted, as in Alertmanager: write ${quoted} if "${bad.trim()}" belongs to the value of ${before.name}`;
  }
  return undefined;
}

/** parseLabelsArg, with `commaInValueHint`'s hint after Alertmanager's message. */
function parseLabelsWithHint(texts: string[]): Labels {
  try {
    return parseLabelsArg(...texts);
  } catch (err) {
    const message = (err as Error).message;
    const hint = texts.map((t) => commaInValueHint(t, message)).find((h) => h !== undefined);
    throw new Error(hint ? `${message} (${hint})` : message);
  }
}

function parseArgs(argv: string[]) {
  return parseOptions(argv, {
    // Every value, in order: `--labels a=1 --labels b=2` tests {a, b}, never only b.
    labels: { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
    ...CONFIG_OPTION,
  });
}

function toView(t: Target, team: string): ReceiverView {
  if (t.type === 'slack') return { type: 'slack', channel: t.channel };
  return t.team === team ? { type: 'pagerduty' } : { type: 'pagerduty', team: t.team };
}

/** Slack first, then PagerDuty (the contract's example order); within a type, routing order. */
function displayOrder(receivers: ReceiverView[]): ReceiverView[] {
  return [...receivers.filter((r) => r.type === 'slack'), ...receivers.filter((r) => r.type === 'pagerduty')];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** Matchers and reasons come from team files (pull requests): `printable` keeps a row one line, with no terminal control. */
function renderText(result: RouteTestResult, labels: Labels, teamFile: string): string {
  const lines = [
    `labels:         ${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || '(none)'}`,
    `team:           ${result.team}`,
    `attributed by:  ${result.attributedBy}`,
  ];
  if (result.routes.length === 0) {
    lines.push('routes:         none matched: the team default receiver is used');
  } else {
    lines.push('routes:');
    const rows = [['INDEX', 'MATCHERS'], ...result.routes.map((r) => [String(r.index), printable(r.matchers.join(', ')) || '(catch-all)'])];
    lines.push(...table(rows).map((l) => `  ${l}`));
  }
  lines.push('receivers:');
  const rows = [
    ['TYPE', 'DESTINATION'],
    ...result.receivers.map((r) => (r.type === 'slack' ? ['slack', r.channel] : ['pagerduty', `service of team ${r.team ?? result.team}`])),
  ];
  lines.push(...table(rows).map((l) => `  ${l}`));
  if (result.maintenance.length === 0) {
    lines.push(`maintenance:    no window of ${teamFile} covers it`);
  } else {
    lines.push(`maintenance:    windows of ${teamFile}; while one is open the alert is held, then delivered if still firing:`);
    const windows = [
      ['INDEX', 'WHEN', 'OPEN NOW', 'REASON'],
      ...result.maintenance.map((w) => [
        String(w.index),
        w.schedule !== undefined ? `${w.schedule} for ${w.duration} (${w.timezone})` : `${w.start} to ${w.end}`,
        w.open ? `yes, until ${w.until}` : 'no',
        printable(w.reason),
      ]),
    ];
    lines.push(...table(windows).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

export const routeTestCommand: Command = async (argv, io) => {
  let args: ReturnType<typeof parseArgs>;
  let labels: Labels;
  try {
    args = parseArgs(argv);
    if (args.labels.length === 0) throw new Error('--labels is required');
    // `--labels "$LABELS"` with LABELS unset would test an alert without labels (the fallback
    // team's), as `--config ""` would check the working directory: `{}` says so on purpose.
    if (args.labels.some((text) => text.trim() === '')) throw new Error("--labels is empty: give the alert's labels (k=v,…), or {} for an alert without any");
    labels = parseLabelsWithHint(args.labels);
  } catch (err) {
    io.stderr(`route-test: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }

  const { dir, problem } = await resolveConfigDir(io, args.config);
  if (problem !== undefined) {
    io.stderr(`route-test: ${problem}`);
    return 1;
  }
  const loaded = await loadRoutingConfig(dir, io.env);
  for (const w of loaded.warnings) io.stderr(formatSourceError(w));
  if (!loaded.config) {
    for (const e of loaded.errors) io.stderr(formatSourceError(e));
    io.stderr(`route-test: the config has ${loaded.errors.length} error(s); run alertgate validate`);
    return 1;
  }
  const config = loaded.config;
  const { team, attributedBy } = createAttributor(config)(labels);
  const teamConfig = config.teams.get(team);
  if (!teamConfig) {
    // Unreachable for a valid config (the fallback team must exist); say so rather than guess.
    io.stderr(`route-test: team "${team}" has no routes file`);
    return 1;
  }
  const resolution = resolveRoutes(labels, teamConfig, config);
  const result: RouteTestResult = {
    team,
    attributedBy,
    routes: resolution.routes,
    receivers: displayOrder(resolution.targets.map((t) => toView(t, team))),
    maintenance: coveringWindows(labels, teamConfig, new Date()),
  };
  io.stdout(args.json ? JSON.stringify(result) : renderText(result, labels, teamConfig.file));
  return 0;
};
