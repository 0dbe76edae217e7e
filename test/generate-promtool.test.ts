/**
 * Acceptance: generated PrometheusRule objects are valid for Prometheus (`promtool check rules`)
 * and for Kubernetes (the PrometheusRule CRD schema), and behave as intended under
 * `promtool test rules`: team alerts fire with team and severity, the SLO page alert fires for a
 * fast burn (20x the budget for an hour) and not a slow one (5x: ticket only), nothing fires at
 * half the budget rate over three days, and SLO error ratios weigh every request the same.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ConfigMapObject } from '../src/generate/dashboards.js';
import type { Dashboard } from '../src/generate/grafana-types.js';
import { dashboardsFile, generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import { validateAgainstSchema, type OpenApiSchema } from '../src/generate/openapi-schema.js';
import type { AlertingRule, RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { sumAndCountQuery } from '../src/uptime/promql-window.js';
import { ACME_SHOP_SLO, copyOfShippedConfig, loadSpecsOrThrow, makeConfigDir, promtoolTestRules, REPO_ROOT, routesFile, ruleFileFromPrometheusRule, removeTempDirs } from './generate-helpers.js';

const run = promisify(execFile);
const promtool = requireBinary('promtool');

const crd = parse(await readFile(path.join(REPO_ROOT, 'test/fixtures/prometheusrule-crd.yaml'), 'utf8')) as {
  spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApiSchema } }> };
};
const CRD_SCHEMA = crd.spec.versions[0]!.schema.openAPIV3Schema;

/** A team whose rules exercise every behaviour the unit tests below check. */
const ACME_RULES = `team: acme
namespace: acme-prod
alerts:
  - name: ShopDown
    expr: up{job="shop"} == 0
    for: 5m
    severity: critical
    summary: Shop is down
    runbook: https://runbooks.example/shop-down
slos:
${ACME_SHOP_SLO}  - name: api-availability
    objective: 99
    window: 30d
    runbook: https://runbooks.example/api-slo
    errors: sum(rate(api_requests_total{code="500"}[{{window}}]))
    total: sum(rate(api_requests_total[{{window}}]))
`;

/**
 * Alert text and dashboard titles holding characters go-yaml (promtool, kubectl) refuses
 * (U+0080, U+FFFE) or reads as line breaks (U+0085, U+2028, U+2029), given as YAML escapes.
 */
const GO_UNSAFE_CONFIG = {
  'routes/web.yaml': routesFile('web'),
  'rules/web.yaml': `team: web
namespace: web-prod
alerts:
  - name: Down
    expr: up == 0
    severity: warning
    summary: "line one\\u2028line two"
    description: "next\\x85line, paragraph\\u2029end, \\x80 and \\ufffe"
    runbook: https://r.example/x
    labels:
      note: "a\\u2028b"
uptime:
  - service: site
    up: "probe_success{job=\\"a\\u2029b\\"}"
    objective: 99.9
`,
  'dashboards/web.yaml': `team: web
namespace: web-prod
dashboards:
  - title: "Main\\u2028board \\x85 \\uffff"
    name: main
    panels:
      - { title: "Up\\u2029rate", type: stat, expr: sum(up) }
`,
};
const GO_REFUSES = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/;

async function generateFor(dir: string): Promise<Map<string, string>> {
  return generateOutputs(await loadSpecsOrThrow(dir), { ruleLabels: { prometheus: 'cloud-platform' } });
}

afterAll(removeTempDirs);

/** `promtool check rules` on the rule file of a generated PrometheusRule, written into `dir`: what it says, failing or not. */
async function checkRules(dir: string, prometheusRule: string): Promise<string> {
  const file = path.join(dir, 'generated.rules.yaml');
  await writeFile(file, ruleFileFromPrometheusRule(prometheusRule));
  const result = await run(promtool!, ['check', 'rules', file]).catch((err: { stdout: string; stderr: string }) => err);
  return `${result.stdout}${result.stderr}`;
}

const testRules = (dir: string, name: string, tests: object) => promtoolTestRules(promtool!, dir, name, tests);

describe('generated PrometheusRule objects', () => {
  let outputs: Map<string, string>;
  let acme: { spec: { groups: RuleGroup[] } };
  beforeAll(async () => {
    const shipped = await generateFor(await copyOfShippedConfig());
    const acmeDir = await makeConfigDir({ 'routes/acme.yaml': routesFile('acme'), 'rules/acme.yaml': ACME_RULES });
    const acmeOut = await generateFor(acmeDir);
    outputs = new Map([...shipped, ...acmeOut]);
    acme = parse(acmeOut.get(prometheusRuleFile('acme'))!) as typeof acme;
  });

  const ruleDocs = () => [...outputs].filter(([f]) => f.endsWith('-prometheus-rule.yaml'));

  it('are generated for every team with alerts or SLOs', () => {
    expect(ruleDocs().map(([f]) => f).sort()).toEqual(
      ['acme', 'payments', 'platform', 'prisons', 'probation'].map((t) => `${t}-prometheus-rule.yaml`),
    );
  });

  it('validate against the PrometheusRule CRD schema and carry the role label', () => {
    for (const [file, text] of ruleDocs()) {
      const obj = parse(text) as { kind: string; metadata: { labels: Record<string, string>; namespace: string } };
      expect({ file, violations: validateAgainstSchema(obj, CRD_SCHEMA) }).toEqual({ file, violations: [] });
      expect(obj.kind).toBe('PrometheusRule');
      expect(obj.metadata.labels).toMatchObject({ role: 'alert-rules', prometheus: 'cloud-platform' });
    }
  });

  it('give every alert team and severity labels and summary and runbook_url annotations', () => {
    for (const [file, text] of ruleDocs()) {
      const team = file.replace('-prometheus-rule.yaml', '');
      const groups = (parse(text) as typeof acme).spec.groups;
      const alerts = groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
      expect(alerts.length).toBeGreaterThan(0);
      for (const a of alerts) {
        expect(a.labels.team).toBe(team);
        expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
        expect(a.annotations.summary).toBeTruthy();
        expect(a.annotations.runbook_url).toMatch(/^https:\/\//);
      }
    }
  });

  it('record the error ratio over every window, Sloth-style, and the budget remaining', () => {
    const group = acme.spec.groups.find((g) => g.name === 'acme-slo-shop-availability')!;
    const records = group.rules.filter((r) => 'record' in r).map((r) => (r as { record: string }).record);
    expect(records).toEqual([
      ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
      'slo:objective:ratio',
      'slo:error_budget:ratio',
      'slo:period_error_budget_remaining:ratio',
    ]);
  });

  it('escape what go-yaml refuses or reads as a line break, in alert text and in dashboard JSON (which stays a block scalar)', async () => {
    const out = await generateFor(await makeConfigDir(GO_UNSAFE_CONFIG));
    for (const [file, text] of out) expect({ file, raw: GO_REFUSES.exec(text)?.[0] }).toEqual({ file, raw: undefined });
    const rule = parse(out.get(prometheusRuleFile('web'))!) as { spec: { groups: RuleGroup[] } };
    const alert = rule.spec.groups[0]!.rules[0] as AlertingRule;
    expect(alert.annotations).toMatchObject({ summary: 'line one\u2028line two', description: 'next\x85line, paragraph\u2029end, \x80 and \ufffe' });
    expect(alert.labels).toMatchObject({ note: 'a\u2028b' });
    const cmText = out.get(dashboardsFile('web'))!;
    expect(cmText).toContain('  web-main-dashboard.json: |\n');
    expect(cmText).toContain('"title": "web / Main\\u2028board \\u0085 \\uffff",');
    const data = (parse(cmText) as ConfigMapObject).data;
    expect((JSON.parse(data['web-main-dashboard.json']!) as Dashboard).title).toBe('web / Main\u2028board \x85 \uffff');
    const slo = JSON.parse(data['web-slos-uptime-dashboard.json']!) as Dashboard;
    expect(slo.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr)).toContain('probe_success{job="a\u2029b"}');
  });

  describe.skipIf(!promtool)('with promtool', () => {
    it('pass `promtool check rules`', async () => {
      const dir = await makeConfigDir({});
      const files: string[] = [];
      for (const [file, text] of ruleDocs()) {
        const f = path.join(dir, file);
        await writeFile(f, ruleFileFromPrometheusRule(text));
        files.push(f);
      }
      const { stdout } = await run(promtool!, ['check', 'rules', ...files]);
      expect(stdout.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
    });

    it('pass `promtool check rules` when user PromQL ends in a # comment: SLO ratios, uptime panel and uptime report query', async () => {
      // A trailing comment must not swallow the `)` or `[…]` generated after the expression.
      const up = 'min by (instance) (probe_success{job="blackbox"})  # worst probe';
      const dir = await makeConfigDir({
        'routes/acme.yaml': routesFile('acme'),
        'rules/acme.yaml': `team: acme
namespace: acme-prod
slos:
  - name: api-availability
    objective: 99.9
    window: 30d
    errors: |
      sum(rate(http_requests_total{job="api",code=~"5.."}[{{window}}]))  # 5xx only, not "#" in a label
    total: sum(rate(http_requests_total{job="api"}[{{window}}])) # every request
uptime:
  - service: api
    up: '${up}'
    objective: 99.9
`,
      });
      const out = await generateFor(dir);
      const ruleFile = parse(ruleFileFromPrometheusRule(out.get(prometheusRuleFile('acme'))!)) as { groups: RuleGroup[] };
      // Queries that are not rules (dashboard panels, the uptime report) become recording rules,
      // so promtool parses them too; Grafana's $__range is not PromQL.
      const configMap = parse(out.get(dashboardsFile('acme'))!) as ConfigMapObject;
      const panelQueries = Object.values(configMap.data).flatMap((json) =>
        (JSON.parse(json) as Dashboard).panels.flatMap((p) => p.targets ?? []).map((t) => t.expr.replaceAll('$__range', '1h')),
      );
      expect(panelQueries.some((q) => q.startsWith('sum(sum_over_time((min by (instance)'))).toBe(true);
      const queries = [...panelQueries, sumAndCountQuery(up, 86_399_999, 30_000)];
      ruleFile.groups.push({ name: 'queries', rules: queries.map((expr, i) => ({ record: `query:${i}`, expr })) });
      const file = path.join(dir, 'acme.rules.yaml');
      await writeFile(file, stringify(ruleFile, { lineWidth: 0 }));
      const result = await run(promtool!, ['check', 'rules', file]).catch((err: { stdout: string; stderr: string }) => err);
      expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS: \d+ rules found/);
    });

    it('pass `promtool check rules` with numbers written as Prometheus reads them and the PromQL grammar of the UI does not (5., 5.e3, 0X1F)', async () => {
      const dir = await makeConfigDir({
        'routes/web.yaml': routesFile('web'),
        'rules/web.yaml': `team: web
namespace: web-prod
alerts:
  - name: HighLoad
    expr: node_load1 > 5.
    severity: warning
    summary: load
    runbook: https://x.example/a
  - name: ManyErrors
    expr: sum(rate(errors_total[5m])) > 5.e-1 and on() vector(0X1F) > 0.
    severity: warning
    summary: errors
    runbook: https://x.example/b
`,
      });
      const out = await generateFor(dir); // validates first: throws on any error
      expect(await checkRules(dir, out.get(prometheusRuleFile('web'))!)).toMatch(/SUCCESS: 2 rules found/);
    });

    it('pass `promtool check rules` and the CRD schema with an unquoted `for: 0`, taken as written (the duration "0"), as Prometheus takes it', async () => {
      const dir = await makeConfigDir({
        'routes/web.yaml': routesFile('web'),
        'rules/web.yaml': 'team: web\nnamespace: web-prod\nalerts:\n  - name: Down\n    expr: up == 0\n    for: 0\n    severity: warning\n    summary: down\n    runbook: https://x.example/a\n',
      });
      const text = (await generateFor(dir)).get(prometheusRuleFile('web'))!; // validates first: throws on any error
      expect(text).toContain(`for: "0"\n`);
      expect(validateAgainstSchema(parse(text), CRD_SCHEMA)).toEqual([]);
      expect(await checkRules(dir, text)).toMatch(/SUCCESS: 1 rules found/);
    });

    it('read generated files as written with go-yaml when alert text and dashboard titles hold U+2028, U+0085, U+FFFE…', async () => {
      const dir = await makeConfigDir(GO_UNSAFE_CONFIG);
      const out = await generateFor(dir);
      // The rule file is the generated text itself, de-indented: re-serialising it would hide the bytes.
      const ruleText = out.get(prometheusRuleFile('web'))!;
      const rules = path.join(dir, 'web.rules.yaml');
      await writeFile(rules, ruleText.slice(ruleText.indexOf('\nspec:\n') + '\nspec:\n'.length).replace(/^ {2}/gm, ''));
      const checked = await run(promtool!, ['check', 'rules', rules]).catch((err: { stdout: string; stderr: string }) => err);
      expect(`${checked.stdout}${checked.stderr}`).toMatch(/SUCCESS: 1 rules found/);
      // A ConfigMap is not a rule file: promtool parses it with go-yaml (the whole document first),
      // then names each top-level field it does not know. A YAML error would come instead.
      const cm = path.join(dir, 'web-grafana-dashboards.yaml');
      await writeFile(cm, out.get(dashboardsFile('web'))!);
      const parsed = await run(promtool!, ['check', 'rules', cm]).catch((err: { stdout: string; stderr: string }) => err);
      const text = `${parsed.stdout}${parsed.stderr}`;
      expect(text).not.toMatch(/control characters|could not find|did not find|yaml: line/);
      expect(text).toMatch(/line \d+: field data not found in type rulefmt\.RuleGroups/);
    });

    it('pass `promtool test rules`: alert labels, fast vs slow burn, traffic-weighted ratios', async () => {
      const dir = await makeConfigDir({ 'acme.rules.yaml': ruleFileFromPrometheusRule(stringify(acme)) });
      const burnAlerts = acme.spec.groups
        .find((g) => g.name === 'acme-slo-shop-availability')!
        .rules.filter((r): r is AlertingRule => 'alert' in r);
      const expected = (kind: 'page' | 'ticket') => {
        const a = burnAlerts.find((r) => r.labels.slo_alert === kind)!;
        return { exp_labels: a.labels, exp_annotations: a.annotations };
      };
      const alertName = burnAlerts[0]!.alert;
      const tests = {
        rule_files: ['acme.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'a team alert fires after its `for`, labelled with team and severity',
            interval: '1m',
            input_series: [{ series: 'up{job="shop",instance="shop-1"}', values: '1 0x20' }],
            alert_rule_test: [
              { eval_time: '4m', alertname: 'ShopDown', exp_alerts: [] },
              {
                eval_time: '10m',
                alertname: 'ShopDown',
                exp_alerts: [
                  {
                    exp_labels: { job: 'shop', instance: 'shop-1', team: 'acme', severity: 'critical' },
                    exp_annotations: { summary: 'Shop is down', runbook_url: 'https://runbooks.example/shop-down' },
                  },
                ],
              },
            ],
          },
          {
            name: 'a 20x burn (2% errors, budget 0.1%) pages and tickets',
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '0+980x90' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '0+20x90' },
            ],
            alert_rule_test: [{ eval_time: '70m', alertname: alertName, exp_alerts: [expected('page'), expected('ticket')] }],
          },
          {
            name: 'a 20x burn sustained for an hour pages',
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '0+980x60' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '0+20x60' },
            ],
            alert_rule_test: [{ eval_time: '60m', alertname: alertName, exp_alerts: [expected('page'), expected('ticket')] }],
          },
          {
            name: 'a 5x burn (0.5% errors) tickets but does not page',
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '0+995x90' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '0+5x90' },
            ],
            alert_rule_test: [{ eval_time: '70m', alertname: alertName, exp_alerts: [expected('ticket')] }],
          },
          {
            name: 'the error ratio is a ratio of sums: a quiet failing instance does not outweigh a busy healthy one',
            interval: '1m',
            input_series: [
              // busy: 90 requests/min, no errors; quiet: 30 requests/min, all errors.
              { series: 'api_requests_total{instance="busy",code="200"}', values: '0+90x20' },
              { series: 'api_requests_total{instance="quiet",code="500"}', values: '0+30x20' },
            ],
            promql_expr_test: [
              {
                // 30 / 120 = 0.25 (the mean of per-instance ratios would be 0.5).
                expr: 'round(slo:sli_error:ratio_rate5m{slo="api-availability"} * 1000)',
                eval_time: '10m',
                exp_samples: [{ labels: '{slo="api-availability",team="acme"}', value: 250 }],
              },
              {
                // 25x the 1% budget spent: remaining 1 - 0.25/0.01 = -24 (overspent shows negative).
                expr: 'round(slo:period_error_budget_remaining:ratio{slo="api-availability"})',
                eval_time: '10m',
                exp_samples: [{ labels: '{slo="api-availability",team="acme"}', value: -24 }],
              },
            ],
          },
        ],
      };
      expect(await testRules(dir, 'acme.test.yaml', tests)).toContain('SUCCESS');
    });

    it('pass `promtool test rules`: half the budget rate for 3 days fires neither page nor ticket', async () => {
      const dir = await makeConfigDir({ 'acme.rules.yaml': ruleFileFromPrometheusRule(stringify(acme)) });
      const alertName = 'ShopAvailabilityErrorBudgetBurn';
      const samples = (3 * 24 * 60) / 2; // 2m apart
      const tests = {
        rule_files: ['acme.rules.yaml'],
        // Rules evaluated every 10m over 3 days of 2m samples: a twentieth of the work of 1m samples
        // and evaluation, and every burn window (5m … 3d) still holds at least two samples.
        evaluation_interval: '10m',
        tests: [
          {
            // 2 errors in 4000 requests = 0.05%, half the 0.1% budget rate, for the longest burn
            // window (3d): silence from the first minutes to the third day.
            name: 'a 0.5x burn (0.05% errors) for 3 days neither pages nor tickets',
            interval: '2m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: `0+3998x${samples}` },
              { series: 'http_requests_total{job="shop",code="500"}', values: `0+2x${samples}` },
            ],
            // Page and ticket share the alert name: `exp_alerts: []` rules out both.
            alert_rule_test: ['10m', '1h', '6h', '1d', '2d', '3d'].map((t) => ({ eval_time: t, alertname: alertName, exp_alerts: [] })),
            promql_expr_test: [
              // The input is really seen (so the silence above is not vacuous): 0.05% over 5m and 3d.
              ...['5m', '3d'].map((w) => ({
                expr: `round(slo:sli_error:ratio_rate${w}{slo="shop-availability"} * 100000)`,
                eval_time: '3d',
                exp_samples: [{ labels: '{slo="shop-availability",team="acme"}', value: 50 }],
              })),
            ],
          },
        ],
      };
      expect(await testRules(dir, 'acme-sub-budget.test.yaml', tests)).toContain('SUCCESS');
    });

    it('pass `promtool test rules`: with no traffic no error ratio is recorded (not NaN), nothing fires, and the SLO panels have no series to show', async () => {
      const dir = await makeConfigDir({ 'acme.rules.yaml': ruleFileFromPrometheusRule(stringify(acme)) });
      const slo = '{slo="shop-availability",team="acme"}';
      const board = JSON.parse((parse(outputs.get(dashboardsFile('acme'))!) as ConfigMapObject).data['acme-slos-uptime-dashboard.json']!) as Dashboard;
      const panelQueries = board.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).filter((e) => e.includes(slo));
      expect(panelQueries).toHaveLength(2 + 5); // budget remaining, availability, five burn rates
      const rules = acme.spec.groups.find((g) => g.name === 'acme-slo-shop-availability')!.rules;
      const records = rules.flatMap((r) => ('record' in r && r.record.startsWith('slo:sli_error') ? [`${r.record}${slo}`] : []));
      const ticket = rules.find((r): r is AlertingRule => 'alert' in r && r.labels.slo_alert === 'ticket')!;
      const tests = {
        rule_files: ['acme.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            // Both series exist (the errors too), and neither moves: every window's rate is 0, 0/0.
            name: 'no requests at all: no sample where the division would be NaN',
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '5x90' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '1x90' },
            ],
            alert_rule_test: ['10m', '70m'].map((t) => ({ eval_time: t, alertname: 'ShopAvailabilityErrorBudgetBurn', exp_alerts: [] })),
            promql_expr_test: [...records, `slo:period_error_budget_remaining:ratio${slo}`, ...panelQueries].map((expr) => ({ expr, eval_time: '70m', exp_samples: [] })),
          },
          {
            // Only a window without requests loses its ratio: the last 10 minutes' show in 5m and 30d.
            name: 'requests again after a quiet hour: the windows see them, and 0.5% errors (5x the budget rate) ticket as before',
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '5x60 5+995x10' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '1x60 1+5x10' },
            ],
            alert_rule_test: [{ eval_time: '70m', alertname: ticket.alert, exp_alerts: [{ exp_labels: ticket.labels, exp_annotations: ticket.annotations }] }],
            promql_expr_test: ['5m', '30d'].map((w) => ({ expr: `round(slo:sli_error:ratio_rate${w}${slo} * 1000)`, eval_time: '70m', exp_samples: [{ labels: slo, value: 5 }] })),
          },
        ],
      };
      expect(await testRules(dir, 'acme-no-traffic.test.yaml', tests)).toContain('SUCCESS');
    });

    it('pass `promtool check rules` with each form of SLO ratio: scalar total or errors divided as written (`or` needs vectors), vector errors filled with 0 where absent', async () => {
      const slo = (name: string, errors: string, total: string) => `  - { name: ${name}, objective: 99, window: 30d, errors: '${errors}', total: '${total}' }\n`;
      const errors = 'sum(rate(api_errors_total[{{window}}]))';
      const dir = await makeConfigDir({
        'routes/web.yaml': routesFile('web'),
        'rules/web.yaml': `team: web\nnamespace: web-prod\nslos:\n${[
          // A scalar total cannot be compared without `bool`, nor take part in `or`.
          slo('api', errors, 'scalar(sum(rate(api_requests_total[{{window}}])))'),
          slo('api-vector', errors, '1 * sum(rate(api_requests_total[{{window}}]))'),
          slo('api-scalar-errors', `scalar(${errors})`, 'sum(rate(api_requests_total[{{window}}]))'),
          slo('api-routes', 'sum by (route) (rate(api_errors_total[{{window}}]))', 'sum by (route) (rate(api_requests_total[{{window}}]))'),
        ].join('')}`,
      });
      const text = (await generateFor(dir)).get(prometheusRuleFile('web'))!;
      expect(text).toContain('(sum(rate(api_errors_total[5m]))) / (scalar(sum(rate(api_requests_total[5m]))))');
      expect(text).toContain('((sum(rate(api_errors_total[5m]))) or vector(0)) / ((1 * sum(rate(api_requests_total[5m]))) > 0)');
      expect(text).toContain('(scalar(sum(rate(api_errors_total[5m])))) / ((sum(rate(api_requests_total[5m]))) > 0)');
      expect(text).toContain(
        '((sum by (route) (rate(api_errors_total[5m]))) or (0 * (sum by (route) (rate(api_requests_total[5m]))))) / ((sum by (route) (rate(api_requests_total[5m]))) > 0)',
      );
      expect(await checkRules(dir, text)).toMatch(/SUCCESS: \d+ rules found/);
    });

    it('a failing expectation makes `promtool test rules` fail (the check above can fail)', async () => {
      const dir = await makeConfigDir({ 'acme.rules.yaml': ruleFileFromPrometheusRule(stringify(acme)) });
      const tests = {
        rule_files: ['acme.rules.yaml'],
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="shop",code="200"}', values: '0+995x90' },
              { series: 'http_requests_total{job="shop",code="500"}', values: '0+5x90' },
            ],
            // Claim the slow burn pages: it must not.
            alert_rule_test: [{ eval_time: '70m', alertname: 'ShopAvailabilityErrorBudgetBurn', exp_alerts: [{ exp_labels: { severity: 'critical' } }] }],
          },
        ],
      };
      await writeFile(path.join(dir, 't.yaml'), stringify(tests));
      await expect(run(promtool!, ['test', 'rules', path.join(dir, 't.yaml')])).rejects.toMatchObject({ code: 1 });
    });
  });
});

describe.skipIf(!promtool)('generated uptime stat panels under `promtool test rules`', () => {
  it('count every sample of every series together (sum of sums over sum of counts, as the report): one value, for a plain selector and a subquery', async () => {
    const dir = await makeConfigDir({
      'routes/acme.yaml': routesFile('acme'),
      'rules/acme.yaml': `team: acme
namespace: acme-prod
uptime:
  - service: worst-probe
    up: max by (instance) (probe_success{job="bb"})
    objective: 99.9
    interval: 1m
  - service: probes
    up: probe_success{job="bb"}
    objective: 99.9
`,
    });
    const configMap = parse((await generateFor(dir)).get(dashboardsFile('acme'))!) as ConfigMapObject;
    const board = JSON.parse(configMap.data['acme-slos-uptime-dashboard.json']!) as Dashboard;
    const stat = (service: string) => {
      const panel = board.panels.find((p) => p.title.startsWith(`${service} uptime`))!;
      return panel.targets![0]!.expr.replaceAll('$__range', '1h');
    };
    const exprs = [stat('worst-probe'), stat('probes')];
    expect(exprs[0]).toContain('[1h:1m]'); // the subquery path is covered
    expect(exprs[1]).not.toContain(':1m]');
    // Probe a always up; probe b down: over all samples half are up (one value 0.5, not 1 and 0).
    // Then b only for the last 30 minutes: 61 up samples of 61 + 31 = 0.663 (the mean of the two
    // series' ratios would be 0.5).
    const scenario = (name: string, b: string, value: number) => ({
      name,
      interval: '1m',
      input_series: [
        { series: 'probe_success{job="bb",instance="a"}', values: '1+0x120' },
        { series: 'probe_success{job="bb",instance="b"}', values: b },
      ],
      promql_expr_test: exprs.map((expr) => ({ expr: `round((${expr}) * 1000)`, eval_time: '2h', exp_samples: [{ labels: '{}', value }] })),
    });
    const tests = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [scenario('one probe up, one down', '0+0x120', 500), scenario('the down probe for the last half hour only', '_x90 0+0x30', 663)],
    };
    expect(await testRules(dir, 'uptime.test.yaml', tests)).toContain('SUCCESS');
  });
});
