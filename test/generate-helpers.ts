/**
 * Shared set-up for the generate suites: throw-away config dirs, loading them the way the CLI
 * does, and extracting Prometheus rule files from generated PrometheusRule objects.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import type { TeamSpecs } from '../src/generate/model.js';
import { generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import type { AlertingRule, RuleGroup } from '../src/generate/rule-types.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** A minimal valid routes file, enough for "this team has a routes file". */
export function routesFile(team: string, namespaces: readonly string[] = [`${team}-prod`]): string {
  return `team: ${team}\nowns:\n  namespaces: [${namespaces.join(', ')}]\nslack:\n  channel: "#${team}"\nroutes:\n  - receivers: [slack]\n`;
}

/** Team acme's shop availability SLO, an item of a rules file's `slos:` list (ends with a newline). */
export const ACME_SHOP_SLO = `  - name: shop-availability
    objective: 99.9
    window: 30d
    runbook: https://runbooks.example/shop-slo
    errors: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{window}}]))
    total: sum(rate(http_requests_total{job="shop"}[{{window}}]))
`;

const tempDirs: string[] = [];

/** Removes every dir makeConfigDir created in this test file; call from afterAll. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A temp dir holding `files` (relative path → content); see removeTempDirs. */
export async function makeConfigDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-gen-'));
  tempDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

/**
 * A temp copy of the shipped rules/ and dashboards/, with minimal routes files for their teams,
 * so these suites do not depend on the routes loader or on routes/ being complete.
 */
export async function copyOfShippedConfig(): Promise<string> {
  const dir = await makeConfigDir({});
  await cp(path.join(REPO_ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'dashboards'), path.join(dir, 'dashboards'), { recursive: true });
  await mkdir(path.join(dir, 'routes'));
  // Each team owns the namespaces its shipped rules and dashboards go to, as generate requires.
  for (const f of await readdir(path.join(dir, 'rules'))) {
    const namespaces = new Set<string>();
    for (const folder of ['rules', 'dashboards']) {
      const text = await readFile(path.join(dir, folder, f), 'utf8').catch(() => undefined);
      if (text !== undefined) namespaces.add((parse(text) as { namespace: string }).namespace);
    }
    await writeFile(path.join(dir, 'routes', f), routesFile(f.replace(/\.yaml$/, ''), [...namespaces]));
  }
  return dir;
}

export async function routeTeamsOf(dir: string): Promise<Set<string>> {
  const names = await readdir(path.join(dir, 'routes')).catch(() => [] as string[]);
  return new Set(names.filter((n) => n.endsWith('.yaml')).map((n) => n.replace(/\.yaml$/, '')));
}

export async function loadSpecsOrThrow(dir: string): Promise<TeamSpecs> {
  const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
  if (!r.specs) throw new Error(`config invalid:\n${r.errors.map(formatSourceError).join('\n')}`);
  return r.specs;
}

/** A Prometheus rule file (`groups:`) from a generated PrometheusRule YAML document. */
export function ruleFileFromPrometheusRule(yamlText: string): string {
  const obj = parse(yamlText) as { spec: { groups: unknown[] } };
  return stringify({ groups: obj.spec.groups }, { lineWidth: 0 });
}

/**
 * A Prometheus rule file (`groups:`) that is the generated PrometheusRule's own text, its `spec:`
 * de-indented: promtool reads the bytes `generate` wrote with Go's YAML parser, as kubectl does,
 * where ruleFileFromPrometheusRule would hand it this library's re-serialisation.
 */
export function ruleFileAsGenerated(yamlText: string): string {
  const spec = yamlText.indexOf('\nspec:\n');
  if (spec < 0) throw new Error('not a generated PrometheusRule: no top-level spec');
  return yamlText.slice(spec + '\nspec:\n'.length).replace(/^ {2}/gm, '');
}

/** `promtool test rules` on `tests` (the test file's document), written into `dir` as `name`: what it says, failing or not. */
export async function promtoolTestRules(promtool: string, dir: string, name: string, tests: object): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, stringify(tests, { lineWidth: 0 }));
  const result = await promisify(execFile)(promtool, ['test', 'rules', file]).catch((err: { stdout: string; stderr: string }) => err);
  return `${result.stdout}${result.stderr}`;
}

/**
 * A config dir of `files` with team acme's PrometheusRule generated from it and written beside
 * them as `acme.rules.yaml`, as `generate` wrote it (ruleFileAsGenerated); and its alerting rules.
 */
export async function withGeneratedAcmeRules(files: Record<string, string>): Promise<{ dir: string; alerts: AlertingRule[] }> {
  const dir = await makeConfigDir(files);
  const ruleText = generateOutputs(await loadSpecsOrThrow(dir)).get(prometheusRuleFile('acme'))!;
  await writeFile(path.join(dir, 'acme.rules.yaml'), ruleFileAsGenerated(ruleText));
  const alerts = (parse(ruleText) as { spec: { groups: RuleGroup[] } }).spec.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
  return { dir, alerts };
}

/**
 * Expects `promtool test rules` to pass `test` (one entry of a test file's `tests`) on the
 * `acme.rules.yaml` of `dir` (withGeneratedAcmeRules), the rules evaluated every
 * `evaluationInterval`; written into `dir` as `name`. A failure shows what promtool said.
 */
export async function expectAcmeRulesPass(promtool: string, dir: string, name: string, evaluationInterval: string, test: object): Promise<void> {
  const out = await promtoolTestRules(promtool, dir, name, { rule_files: ['acme.rules.yaml'], evaluation_interval: evaluationInterval, tests: [test] });
  expect(out).toContain('SUCCESS');
}
