/**
 * @module cli/generate
 * `alertgate generate --out DIR [--check]`: wiring only (load → generate → plan → write or diff).
 *
 * Options (flags win over environment variables):
 * - `--config DIR` / `ALERTGATE_CONFIG_DIR` (default: current directory): folder holding
 *   routes/, rules/, dashboards/.
 * - `--rule-label k=v` (repeatable) / `ALERTGATE_RULE_LABELS=k=v,k2=v2`: extra PrometheusRule
 *   metadata labels, e.g. the `ruleSelector` of your Prometheus. The labels alertgate sets
 *   (`role: alert-rules`, `team`, `app.kubernetes.io/managed-by`) cannot be given: exit 2.
 * - `--dashboard-label NAME` / `ALERTGATE_DASHBOARD_LABEL` (default `grafana_dashboard`) and
 *   `--folder-annotation NAME` / `ALERTGATE_FOLDER_ANNOTATION` (default `grafana_folder`): what
 *   the Grafana sidecar is configured to look for. Each must be a name Kubernetes accepts as a
 *   label (annotation) key, and the label not one alertgate sets on the ConfigMap (`team`,
 *   `app.kubernetes.io/managed-by`), or generate exits 2: the API server would refuse the
 *   ConfigMap, or the sidecar's "1" would silently give way to the team's name.
 * - `ALERTGATE_SEVERITIES=critical,warning,info`: allowed alert severities.
 *
 * Exit codes: 0 written or up to date; 1 invalid config (routes/, rules/ or dashboards/), or `--check` found DIR stale (the unified
 * diff is on stdout); 2 usage error.
 */
import { loadRoutingConfig, teamNamespacesOf } from '../config/load-routes.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadTeamSpecs } from '../config/load-team-specs.js';
import { formatSourceError } from '../config/source-error.js';
import { NotRegularFileError, planOutputs, renderPlanDiff, summarizePlan } from '../generate/check.js';
import { OWNED_DASHBOARD_LABELS } from '../generate/dashboards.js';
import { generateOutputs } from '../generate/outputs.js';
import { OWNED_RULE_LABELS } from '../generate/prometheus-rule.js';
import { applyPlan } from '../generate/write.js';
import { CONFIG_OPTION, configOptionHelp, resolveConfigDir } from './config-dir.js';
import type { CliIO, Command } from './io.js';
import { parseOptions } from './parse-options.js';

export const USAGE =
  'usage: alertgate generate --out DIR [--check] [--config DIR] [--rule-label k=v]... [--dashboard-label NAME] [--folder-annotation NAME]';

/** What `alertgate generate --help` adds to the usage line. */
export const HELP = `Write per team a PrometheusRule and a Grafana dashboards ConfigMap into DIR, from routes/,
rules/ and dashboards/ of the config dir; generated files no longer needed are deleted.

options:
  --out DIR                 where to write (created if missing)
  --check                   write nothing; print a unified diff on stdout and exit 1 if DIR is stale
${configOptionHelp(28)}
  --rule-label k=v          extra PrometheusRule label, repeatable (also ALERTGATE_RULE_LABELS=k=v,k2=v2)
  --dashboard-label NAME    dashboards ConfigMap label the Grafana sidecar looks for (default grafana_dashboard)
  --folder-annotation NAME  annotation naming the Grafana folder (default grafana_folder)

exit codes: 0 written or up to date; 1 invalid config, or --check found DIR stale; 2 usage error`;

/** The name part of a qualified name, and a label value when not empty. */
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** One dot-separated part of a DNS-1123 subdomain (an RFC 1123 label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `key` is not a Kubernetes label (or annotation) key, or undefined when it is one: a
 * qualified name, `[prefix/]name`, as apimachinery's IsQualifiedName checks it. The prefix is a
 * DNS-1123 subdomain: at most 253 characters, dot-separated parts of a-z 0-9 `-` each beginning
 * and ending with a letter or digit (`example..com` and `a.-b` are not).
 */
export function qualifiedNameError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'at most one "/" (prefix/name)';
  const name = parts.at(-1)!;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return `the name ${JSON.stringify(name)} must be 1-63 of A-Z a-z 0-9 - _ . beginning and ending with a letter or digit`;
  }
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0 || prefix.length > 253 || !prefix.split('.').every((p) => DNS_LABEL.test(p))) {
      return `the prefix ${JSON.stringify(prefix)} must be a DNS subdomain: at most 253 characters, dot-separated parts of a-z 0-9 - each beginning and ending with a letter or digit`;
    }
  }
  return undefined;
}

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export const generateCommand: Command = async (argv, io) => {
  let args;
  try {
    args = parseOptions(argv, {
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      ...CONFIG_OPTION,
      'rule-label': { type: 'string', multiple: true, default: [] },
      'dashboard-label': { type: 'string' },
      'folder-annotation': { type: 'string' },
    });
  } catch (err) {
    io.stderr(`generate: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!args.out) {
    io.stderr(`generate: --out DIR is required\n${USAGE}`);
    return 2;
  }
  // Environment first: a flag then replaces a variable's value for the same key.
  const ruleLabels = parseRuleLabels([
    ...splitList(io.env.ALERTGATE_RULE_LABELS).map((pair) => ({ pair, from: 'ALERTGATE_RULE_LABELS' })),
    ...args['rule-label'].map((pair) => ({ pair, from: '--rule-label' })),
  ]);
  if (typeof ruleLabels === 'string') {
    io.stderr(`generate: ${ruleLabels}`);
    return 2;
  }

  // A variable set but empty (a CI variable left blank) is unset, as everywhere else; an empty flag is a mistake.
  const labelName = args['dashboard-label'] ?? (io.env.ALERTGATE_DASHBOARD_LABEL || 'grafana_dashboard');
  const folderAnnotation = args['folder-annotation'] ?? (io.env.ALERTGATE_FOLDER_ANNOTATION || 'grafana_folder');
  // The API server refuses a ConfigMap whose label or annotation name is not a qualified name.
  for (const [name, kind, from] of [
    [labelName, 'label', args['dashboard-label'] !== undefined ? '--dashboard-label' : 'ALERTGATE_DASHBOARD_LABEL'],
    [folderAnnotation, 'annotation', args['folder-annotation'] !== undefined ? '--folder-annotation' : 'ALERTGATE_FOLDER_ANNOTATION'],
  ] as const) {
    const why = qualifiedNameError(name);
    if (why !== undefined) {
      io.stderr(`generate: ${from} ${JSON.stringify(name)} is not a valid Kubernetes ${kind} name ([prefix/]name): ${why}`);
      return 2;
    }
  }
  if (OWNED_DASHBOARD_LABELS.includes(labelName)) {
    const from = args['dashboard-label'] !== undefined ? '--dashboard-label' : 'ALERTGATE_DASHBOARD_LABEL';
    io.stderr(`generate: ${from} ${JSON.stringify(labelName)} is a label alertgate sets on every dashboards ConfigMap (${OWNED_DASHBOARD_LABELS.join(', ')}); the sidecar's "1" would give way to it: choose another name`);
    return 2;
  }

  const outDir = path.resolve(io.cwd, args.out);
  const { dir: configDir, problem } = await resolveConfigDir(io, args.config);
  if (problem !== undefined) {
    io.stderr(`generate: ${problem}; nothing written`);
    return 1;
  }
  const severities = splitList(io.env.ALERTGATE_SEVERITIES);
  // routes/ is part of the config: an error there fails generate as it fails validate, or
  // `generate --check` in CI would pass on a config the gateway refuses to load. Its warnings
  // (routing-key variables not set) are about run time, not about what generate writes.
  const routes = await loadRoutingConfig(configDir, io.env);
  const teamNamespaces = teamNamespacesOf(routes);
  const { specs, errors: specErrors, warnings } = await loadTeamSpecs(configDir, {
    routeTeams: new Set(routes.teamNames),
    ...(severities.length > 0 && { severities }),
    ...(teamNamespaces && { teamNamespaces }),
  });
  const errors = [...routes.errors, ...specErrors];
  // Files named as validate names them, relative to the config dir (rules/orders.yaml:3:5 …), so one
  // mistake reads the same from both commands wherever they run.
  for (const e of [...errors, ...warnings]) io.stderr(formatSourceError(e));
  if (!specs || errors.length > 0) {
    io.stderr(`generate: ${errors.length} error(s) in the config; nothing written`);
    return 1;
  }

  let outputs;
  try {
    outputs = generateOutputs(specs, {
      ruleLabels,
      dashboards: { labelName, folderAnnotation },
    });
  } catch (err) {
    io.stderr(`generate: ${(err as Error).message}`);
    return 1;
  }
  const shown = displayPath(io, outDir);
  const outProblem = await outDirProblem(outDir);
  if (outProblem) {
    io.stderr(`generate: --out ${shown} ${outProblem}; nothing written`);
    return 1;
  }
  let changes;
  try {
    changes = await planOutputs(outDir, outputs, shown);
  } catch (err) {
    if (err instanceof NotRegularFileError) {
      io.stderr(`generate: ${err.message}; nothing written`);
      return 1;
    }
    io.stderr(`generate: cannot read --out ${shown}: ${(err as Error).message}; nothing written`);
    return 1;
  }
  if (changes.length === 0) {
    io.stdout(`up to date: ${shown} matches the config (${outputs.size} files)`);
    return 0;
  }
  if (args.check) {
    io.stdout(renderPlanDiff(changes));
    io.stderr(`generate --check: ${shown} is stale (${summarizePlan(changes)}); run alertgate generate --out ${shown}`);
    return 1;
  }
  try {
    await applyPlan(outDir, changes);
  } catch (err) {
    // Say which flag the path came from; without this the raw fs error lacked the command's name.
    io.stderr(`generate: cannot write --out ${shown}: ${(err as Error).message}`);
    return 1;
  }
  io.stdout(`wrote ${shown}: ${summarizePlan(changes, 'done')}`);
  return 0;
};

/** Why DIR cannot take the generated files (it, or a part of its path, is a file), or undefined. */
async function outDirProblem(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : 'is not a directory';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'is not a directory: a part of its path is a file' : undefined;
  }
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `k=v` pairs, each with the flag or variable it came from → labels, or a message naming the pair's source and saying what is wrong. */
function parseRuleLabels(pairs: { pair: string; from: string }[]): Record<string, string> | string {
  const labels: Record<string, string> = {};
  for (const { pair, from } of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const why =
      eq < 0 ? 'no "="' : (qualifiedNameError(key) ?? (LABEL_VALUE.test(value) ? undefined : 'the value must be at most 63 of A-Z a-z 0-9 - _ . beginning and ending with a letter or digit'));
    if (why !== undefined) return `${from} ${JSON.stringify(pair)} is not a valid Kubernetes label k=v: ${why}`;
    // The generator sets these after the extra labels: a value given here would silently vanish.
    const owned = Object.hasOwn(OWNED_RULE_LABELS, key) ? OWNED_RULE_LABELS[key] : undefined;
    if (owned !== undefined) return `${from} ${JSON.stringify(pair)}: rule label "${key}" is always ${owned} (alertgate sets it on every PrometheusRule) and cannot be changed`;
    labels[key] = value;
  }
  return labels;
}

function displayPath(io: CliIO, file: string): string {
  const rel = path.relative(io.cwd, file);
  // path.relative drops a folder's trailing slash: keep `routes/`, as validate prints it.
  const shown = rel === '' ? '.' : rel.startsWith('..') ? file : rel;
  return file.endsWith('/') && !shown.endsWith('/') ? `${shown}/` : shown;
}
