/**
 * @module cli/route-test
 * `alertgate route-test --labels 'k=v,k2="quoted, with comma"' [--json]`: which team, routes and
 * receivers an alert with these labels would reach, using the same attribution and routing code
 * as the gateway. `--json` prints exactly one object on stdout; warnings always go to stderr.
 *
 * Labels use the matcher quoting rules (optional `{}`, `"…"` with `\"`, `\\`, `\n`), so a value
 * copied from an Alertmanager matcher works as-is.
 */
import { createAttributor, type AttributedBy } from '../attribute/attribute.js';
import { loadRoutingConfig } from '../config/load-routes.js';
import { parseMatchers } from '../config/matchers.js';
import { formatSourceError } from '../config/source-error.js';
import type { Labels } from '../model/alert.js';
import type { Target } from '../model/target.js';
import { resolveRoutes, type MatchedRoute } from '../route/resolve-targets.js';
import type { Command } from './io.js';
import { configDirOf } from './validate.js';

export const USAGE = `usage: alertgate route-test --labels 'k=v,k2="v, with comma"' [--json]`;

/** Receiver as shown to users: no secrets, the PagerDuty team only when it is not the alert's team. */
export type ReceiverView = { type: 'slack'; channel: string } | { type: 'pagerduty'; team?: string };

export interface RouteTestResult {
  team: string;
  attributedBy: AttributedBy;
  routes: MatchedRoute[];
  receivers: ReceiverView[];
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

interface Args {
  /** Every `--labels` value, in order: `--labels a=1 --labels b=2` tests {a, b}, never only b. */
  labels: string[];
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { labels: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--labels') {
      const v = argv[++i];
      if (v === undefined) throw new Error('--labels needs a value');
      args.labels.push(v);
    } else if (a.startsWith('--labels=')) args.labels.push(a.slice('--labels='.length));
    else throw new Error(`unexpected argument "${a}"`);
  }
  return args;
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

function renderText(result: RouteTestResult, labels: Labels): string {
  const lines = [
    `labels:         ${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || '(none)'}`,
    `team:           ${result.team}`,
    `attributed by:  ${result.attributedBy}`,
  ];
  if (result.routes.length === 0) {
    lines.push('routes:         none matched: the team default receiver is used');
  } else {
    lines.push('routes:');
    const rows = [['INDEX', 'MATCHERS'], ...result.routes.map((r) => [String(r.index), r.matchers.join(', ') || '(catch-all)'])];
    lines.push(...table(rows).map((l) => `  ${l}`));
  }
  lines.push('receivers:');
  const rows = [
    ['TYPE', 'DESTINATION'],
    ...result.receivers.map((r) => (r.type === 'slack' ? ['slack', r.channel] : ['pagerduty', `service of team ${r.team ?? result.team}`])),
  ];
  lines.push(...table(rows).map((l) => `  ${l}`));
  return lines.join('\n');
}

export const routeTestCommand: Command = async (argv, io) => {
  let args: Args;
  let labels: Labels;
  try {
    args = parseArgs(argv);
    if (args.labels.length === 0) throw new Error('--labels is required');
    labels = parseLabelsArg(...args.labels);
  } catch (err) {
    io.stderr(`route-test: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }

  const loaded = await loadRoutingConfig(configDirOf(io), io.env);
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
  };
  io.stdout(args.json ? JSON.stringify(result) : renderText(result, labels));
  return 0;
};
