/**
 * Acceptance: `alertgate generate --out DIR [--check]` as a user runs it. Fresh output checks
 * clean (exit 0, "up to date"); an edited or stale file makes --check exit 1 with a unified diff
 * on stdout; generate itself is deterministic, removes stale generated files and leaves files it
 * did not write alone.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../src/cli/main.js';
import { GENERATED_MARKER, generateOutputs } from '../src/generate/outputs.js';
import { stringifyQuotingAmbiguous } from '../src/generate/yaml-ambiguous.js';
import { copyOfShippedConfig, loadSpecsOrThrow, makeConfigDir, removeTempDirs } from './generate-helpers.js';

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env, cwd });
  return { code, stdout: stdout.join(''), stderr: stderr.join('\n') };
}

afterAll(removeTempDirs);

describe('alertgate generate', () => {
  let config: string;
  beforeEach(async () => {
    config = await copyOfShippedConfig();
  });

  it('writes one PrometheusRule and one dashboards ConfigMap per team, then --check says up to date', async () => {
    const first = await cli(['generate', '--out', 'out'], config);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('wrote out: 8 created, 0 updated, 0 stale deleted') });
    expect((await readdir(path.join(config, 'out'))).sort()).toEqual(
      ['payments', 'platform', 'prisons', 'probation'].flatMap((t) => [`${t}-grafana-dashboards.yaml`, `${t}-prometheus-rule.yaml`]),
    );
    const check = await cli(['generate', '--out', 'out', '--check'], config);
    expect(check).toMatchObject({ code: 0, stdout: expect.stringContaining('up to date') });
  });

  it('writes files byte-identical to the yaml library, quoting for YAML 1.1 too (the fast emitter changes no byte users see)', async () => {
    const outputs = generateOutputs(await loadSpecsOrThrow(config));
    expect(outputs.size).toBe(8);
    for (const [file, text] of outputs) {
      const header = text.slice(0, text.indexOf('\n') + 1);
      const body = text.slice(header.length);
      expect(header.startsWith(GENERATED_MARKER)).toBe(true);
      expect({ file, body }).toEqual({ file, body: stringifyQuotingAmbiguous(parse(body)) });
    }
  });

  it('is deterministic: two runs into different directories are byte-identical', async () => {
    await cli(['generate', '--out', 'a'], config);
    await cli(['generate', '--out', 'b'], config);
    for (const f of await readdir(path.join(config, 'a'))) {
      expect(await readFile(path.join(config, 'b', f), 'utf8')).toBe(await readFile(path.join(config, 'a', f), 'utf8'));
    }
  });

  it('--check exits 1 with a unified diff when a generated file was edited', async () => {
    await cli(['generate', '--out', 'out'], config);
    const file = path.join(config, 'out', 'payments-prometheus-rule.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('for: 10m', 'for: 1m'));
    const check = await cli(['generate', '--out', 'out', '--check'], config);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^--- a\/payments-prometheus-rule\.yaml\n\+\+\+ b\/payments-prometheus-rule\.yaml\n@@ -\d+,7 \+\d+,7 @@\n/);
    expect(check.stdout).toContain('\n-          for: 1m\n+          for: 10m\n');
    expect(check.stderr).toContain('out is stale (0 to create, 1 to update, 0 stale to delete)');
    // generate repairs it, check is clean again
    expect((await cli(['generate', '--out', 'out'], config)).stdout).toContain('0 created, 1 updated');
    expect((await cli(['generate', '--out', 'out', '--check'], config)).code).toBe(0);
  });

  it('--check reports config changes, stale generated files and missing files; foreign files are left alone', async () => {
    await cli(['generate', '--out', 'out'], config);
    const out = path.join(config, 'out');
    await writeFile(path.join(out, 'kustomization.yaml'), 'resources: []\n');
    await writeFile(path.join(out, 'oldteam-prometheus-rule.yaml'), `${GENERATED_MARKER} from rules/oldteam.yaml\nkind: PrometheusRule\n`);
    await rm(path.join(out, 'platform-grafana-dashboards.yaml'));
    const rules = path.join(config, 'rules', 'probation.yaml');
    await writeFile(rules, (await readFile(rules, 'utf8')).replace('objective: 99.5', 'objective: 99.9'));

    const check = await cli(['generate', '--out', 'out', '--check'], config);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('--- a/oldteam-prometheus-rule.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n');
    expect(check.stdout).toContain('--- /dev/null\n+++ b/platform-grafana-dashboards.yaml\n');
    expect(check.stdout).toContain('--- a/probation-prometheus-rule.yaml\n+++ b/probation-prometheus-rule.yaml\n');
    expect(check.stdout).toContain('\n-          expr: vector(0.005)\n+          expr: vector(0.001)\n');
    expect(check.stdout).not.toContain('kustomization');

    const write = await cli(['generate', '--out', 'out'], config);
    expect(write.stdout).toContain('1 created, 2 updated, 1 stale deleted');
    const files = await readdir(out);
    expect(files).toContain('kustomization.yaml');
    expect(files).not.toContain('oldteam-prometheus-rule.yaml');
    expect((await cli(['generate', '--out', 'out', '--check'], config)).code).toBe(0);
  });

  it('reads only the files directly in DIR: what another config generated into a subfolder is neither stale nor deleted', async () => {
    await cli(['generate', '--out', 'out'], config);
    // e.g. `generate --config staging --out out/staging` beside this config's `--out out`.
    const nested = path.join(config, 'out', 'staging');
    await mkdir(nested);
    const text = `${GENERATED_MARKER} from rules/staging.yaml\nkind: PrometheusRule\n`;
    await writeFile(path.join(nested, 'staging-prometheus-rule.yaml'), text);

    const check = await cli(['generate', '--out', 'out', '--check'], config);
    expect(check).toMatchObject({ code: 0, stdout: expect.stringContaining('up to date') });
    expect((await cli(['generate', '--out', 'out'], config)).stdout).toContain('up to date');
    expect(await readFile(path.join(nested, 'staging-prometheus-rule.yaml'), 'utf8')).toBe(text);
  });

  it('adds --rule-label and ALERTGATE_RULE_LABELS to every PrometheusRule; flags win', async () => {
    const r = await cli(['generate', '--out', 'out', '--rule-label', 'prometheus=cloud-platform', '--rule-label', 'tier=gold'], config, {
      ALERTGATE_RULE_LABELS: 'tier=silver,release=prometheus-operator',
    });
    expect(r.code).toBe(0);
    const obj = parse(await readFile(path.join(config, 'out', 'payments-prometheus-rule.yaml'), 'utf8')) as { metadata: { labels: object } };
    expect(obj.metadata.labels).toEqual({
      prometheus: 'cloud-platform',
      release: 'prometheus-operator',
      tier: 'gold',
      role: 'alert-rules',
      team: 'payments',
      'app.kubernetes.io/managed-by': 'alertgate',
    });
  });

  it('generateOutputs refuses extra labels alertgate owns for callers that skip the CLI', async () => {
    const specs = await loadSpecsOrThrow(config);
    expect(() => generateOutputs(specs, { ruleLabels: { team: 'sre' } })).toThrow('extra label "team" is set by alertgate');
    expect(() => generateOutputs(specs, { dashboards: { labelName: 'team' } })).toThrow('dashboard label "team" is set by alertgate');
  });

  it.each([
    [['generate'], '--out DIR is required'],
    [['generate', '--out', 'x', '--rule-label', 'role=other'], 'rule label "role" is always alert-rules'],
    [['generate', '--out', 'x', '--rule-label', 'no-equals'], 'not a valid Kubernetes label'],
    // Labels alertgate sets on every PrometheusRule: the user's value would be silently replaced.
    [['generate', '--out', 'x', '--rule-label', 'team=sre'], '--rule-label "team=sre": rule label "team" is always the team\'s name'],
    [['generate', '--out', 'x', '--rule-label', 'app.kubernetes.io/managed-by=helm'], '--rule-label "app.kubernetes.io/managed-by=helm": rule label "app.kubernetes.io/managed-by" is always alertgate'],
    [['generate', '--out', 'x', '--rule-label', 'role=other'], '--rule-label "role=other"'],
    // The same for the ConfigMap: its sidecar label would lose its "1" to the team name.
    [['generate', '--out', 'x', '--dashboard-label', 'team'], '--dashboard-label "team" is a label alertgate sets on every dashboards ConfigMap'],
    [['generate', '--out', 'x', '--dashboard-label', 'app.kubernetes.io/managed-by'], '--dashboard-label "app.kubernetes.io/managed-by" is a label alertgate sets'],
    [['generate', '--out', 'x', '--bogus'], "Unknown option '--bogus'"],
    // Kubernetes refuses a ConfigMap with such a label or annotation name.
    [['generate', '--out', 'x', '--dashboard-label', 'grafana dashboard'], '--dashboard-label "grafana dashboard" is not a valid Kubernetes label name'],
    [['generate', '--out', 'x', '--dashboard-label', ''], '--dashboard-label "" is not a valid Kubernetes label name'],
    [['generate', '--out', 'x', '--folder-annotation', 'grafana folder'], '--folder-annotation "grafana folder" is not a valid Kubernetes annotation name'],
    [['generate', '--out', 'x', '--folder-annotation', 'Example.com/folder'], '--folder-annotation "Example.com/folder" is not a valid Kubernetes annotation name'],
    // The prefix is a DNS subdomain: each dot-separated part begins and ends with a letter or digit.
    [['generate', '--out', 'x', '--rule-label', 'example..com/tier=x'], '--rule-label "example..com/tier=x" is not a valid Kubernetes label k=v: the prefix "example..com" must be a DNS subdomain'],
    [['generate', '--out', 'x', '--rule-label', 'a.-b/tier=x'], '--rule-label "a.-b/tier=x" is not a valid Kubernetes label k=v: the prefix "a.-b" must be a DNS subdomain'],
    [['generate', '--out', 'x', '--dashboard-label', 'a.-b/dash'], '--dashboard-label "a.-b/dash" is not a valid Kubernetes label name ([prefix/]name): the prefix "a.-b" must be a DNS subdomain'],
    [['generate', '--out', 'x', '--dashboard-label', 'example.com./dash'], '--dashboard-label "example.com./dash" is not a valid Kubernetes label name'],
    [['generate', '--out', 'x', '--folder-annotation', `${'a'.repeat(250)}.com/folder`], 'must be a DNS subdomain: at most 253 characters'],
    [['generate', '--out', 'x', '--folder-annotation', 'a/b/c'], '--folder-annotation "a/b/c" is not a valid Kubernetes annotation name ([prefix/]name): at most one "/"'],
  ])('usage errors exit 2: %j', async (args, message) => {
    const dir = await makeConfigDir({});
    const r = await cli(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [{ ALERTGATE_DASHBOARD_LABEL: '-grafana' }, 'ALERTGATE_DASHBOARD_LABEL "-grafana" is not a valid Kubernetes label name'],
    [{ ALERTGATE_FOLDER_ANNOTATION: 'folder:' }, 'ALERTGATE_FOLDER_ANNOTATION "folder:" is not a valid Kubernetes annotation name'],
    [{ ALERTGATE_RULE_LABELS: 'tier=gold,team=sre' }, 'ALERTGATE_RULE_LABELS "team=sre": rule label "team" is always the team\'s name'],
    [{ ALERTGATE_RULE_LABELS: 'tier gold' }, 'ALERTGATE_RULE_LABELS "tier gold" is not a valid Kubernetes label k=v'],
    [{ ALERTGATE_DASHBOARD_LABEL: 'team' }, 'ALERTGATE_DASHBOARD_LABEL "team" is a label alertgate sets on every dashboards ConfigMap'],
  ])('an invalid name in the environment exits 2 naming the variable: %j', async (env, message) => {
    const r = await cli(['generate', '--out', 'x'], await makeConfigDir({}), env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('accepts prefixed --dashboard-label and --folder-annotation names', async () => {
    const r = await cli(['generate', '--out', 'out', '--dashboard-label', 'grafana.example.com/dashboard', '--folder-annotation', 'k8s-sidecar-target-directory'], config);
    expect(r.code).toBe(0);
    const cm = parse(await readFile(path.join(config, 'out', 'payments-grafana-dashboards.yaml'), 'utf8')) as { metadata: { labels: object; annotations: object } };
    expect(cm.metadata.labels).toMatchObject({ 'grafana.example.com/dashboard': '1' });
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Payments' });
  });

  it('reads the config from ALERTGATE_CONFIG_DIR', async () => {
    const elsewhere = await makeConfigDir({});
    const r = await cli(['generate', '--out', path.join(elsewhere, 'out')], elsewhere, { ALERTGATE_CONFIG_DIR: config });
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining('8 created') });
  });
});
