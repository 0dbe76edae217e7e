/**
 * Acceptance, under `promtool test rules`: an SLO whose `errors` query matches no series while
 * `total` has traffic (no 5xx ever counted, so the 5xx counter series does not exist) records an
 * error ratio of 0 and a full budget, not "No data"; per label set when both queries are grouped
 * alike `by (route)`, and for every label set while there is no error series at all when the
 * labels cannot be read (recorded series). A window without requests still records nothing, and
 * burn-rate alerts fire as before.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ConfigMapObject } from '../src/generate/dashboards.js';
import type { Dashboard } from '../src/generate/grafana-types.js';
import { dashboardsFile, generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import type { AlertingRule, RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { loadSpecsOrThrow, makeConfigDir, promtoolTestRules, removeTempDirs, routesFile, ruleFileFromPrometheusRule } from './generate-helpers.js';

const promtool = requireBinary('promtool');

const RULES = `team: acme
namespace: acme-prod
slos:
  - name: shop-availability
    objective: 99.9
    window: 30d
    runbook: https://runbooks.example/shop-slo
    errors: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{window}}]))
    total: sum(rate(http_requests_total{job="shop"}[{{window}}]))
  - name: routes-availability
    objective: 99
    window: 30d
    runbook: https://runbooks.example/routes-slo
    errors: sum by (route) (rate(api_requests_total{code=~"5.."}[{{window}}]))
    total: sum by (route) (rate(api_requests_total[{{window}}]))
  - name: recorded-availability
    objective: 99
    window: 30d
    runbook: https://runbooks.example/recorded-slo
    errors: job:api_errors:rate{{window}}
    total: job:api_requests:rate{{window}}
  - name: mismatched-availability
    objective: 99
    window: 30d
    runbook: https://runbooks.example/mismatched-slo
    errors: job:http_errors:rate{{window}}
    total: sum(rate(http_requests_total{job="web"}[{{window}}]))
`;

const SHOP = '{slo="shop-availability",team="acme"}';
const ROUTES = '{slo="routes-availability",team="acme"}';
const RECORDED = '{slo="recorded-availability",team="acme"}';
const MISMATCHED = '{slo="mismatched-availability",team="acme"}';
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
const BURN_ALERT = { shop: 'ShopAvailabilityErrorBudgetBurn', routes: 'RoutesAvailabilityErrorBudgetBurn' };

afterAll(removeTempDirs);

describe.skipIf(!promtool)('SLO error ratio when the errors query matches no series', () => {
  let dir: string;
  let groups: RuleGroup[];
  /** The SLO board's queries of the ungrouped SLO: budget remaining, availability, five burn rates. */
  let shopPanels: string[];
  beforeAll(async () => {
    dir = await makeConfigDir({ 'routes/acme.yaml': routesFile('acme'), 'rules/acme.yaml': RULES });
    const out = await generateOutputs(await loadSpecsOrThrow(dir));
    const ruleText = out.get(prometheusRuleFile('acme'))!;
    groups = (parse(ruleText) as { spec: { groups: RuleGroup[] } }).spec.groups;
    await writeFile(path.join(dir, 'acme.rules.yaml'), ruleFileFromPrometheusRule(ruleText));
    const board = JSON.parse((parse(out.get(dashboardsFile('acme'))!) as ConfigMapObject).data['acme-slos-uptime-dashboard.json']!) as Dashboard;
    shopPanels = board.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).filter((e) => e.includes(SHOP));
  });

  /** `promtool test rules` on these tests against the generated rules: its output, failing or not. */
  const promtoolTest = (name: string, tests: object[]) =>
    promtoolTestRules(promtool!, dir, name, { rule_files: ['acme.rules.yaml'], evaluation_interval: '1m', tests });

  const burnAlert = (slo: string, kind: 'page' | 'ticket', extraLabels: Record<string, string>) => {
    const a = groups
      .find((g) => g.name === `acme-slo-${slo}`)!
      .rules.find((r): r is AlertingRule => 'alert' in r && r.labels.slo_alert === kind)!;
    return { exp_labels: { ...extraLabels, ...a.labels }, exp_annotations: a.annotations };
  };

  it('records 0 errors over every window and the full budget while requests flow and no error series exists; nothing fires', async () => {
    expect(shopPanels).toHaveLength(2 + 5);
    const out = await promtoolTest('no-error-series.test.yaml', [
      {
        name: 'only 200s: the 5xx series was never created',
        interval: '1m',
        input_series: [{ series: 'http_requests_total{job="shop",code="200"}', values: '0+100x90' }],
        alert_rule_test: ['10m', '70m'].map((t) => ({ eval_time: t, alertname: BURN_ALERT.shop, exp_alerts: [] })),
        promql_expr_test: [
          ...WINDOWS.map((w) => ({ expr: `slo:sli_error:ratio_rate${w}${SHOP}`, eval_time: '70m', exp_samples: [{ labels: `slo:sli_error:ratio_rate${w}${SHOP}`, value: 0 }] })),
          { expr: `slo:period_error_budget_remaining:ratio${SHOP}`, eval_time: '70m', exp_samples: [{ labels: `slo:period_error_budget_remaining:ratio${SHOP}`, value: 1 }] },
          // Every panel of the board has a value: availability 1, budget remaining 1, burn rates 0.
          ...shopPanels.map((expr) => ({ expr: `count(${expr})`, eval_time: '70m', exp_samples: [{ labels: '{}', value: 1 }] })),
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('grouped by route: a route without an error series records 0 and a full budget, next to a route whose errors page', async () => {
    const out = await promtoolTest('grouped.test.yaml', [
      {
        // /a: 20% errors, 20x the 1% budget rate (pages at 14.4x); /b: traffic, never a 5xx.
        name: 'route /a burning, route /b healthy without a 5xx series',
        interval: '1m',
        input_series: [
          { series: 'api_requests_total{route="/a",code="200"}', values: '0+80x90' },
          { series: 'api_requests_total{route="/a",code="500"}', values: '0+20x90' },
          { series: 'api_requests_total{route="/b",code="200"}', values: '0+50x90' },
        ],
        alert_rule_test: [
          {
            eval_time: '70m',
            alertname: BURN_ALERT.routes,
            exp_alerts: [burnAlert('routes-availability', 'page', { route: '/a' }), burnAlert('routes-availability', 'ticket', { route: '/a' })],
          },
        ],
        promql_expr_test: [
          ...['5m', '30d'].map((w) => ({
            expr: `round(slo:sli_error:ratio_rate${w}${ROUTES} * 1000)`,
            eval_time: '70m',
            exp_samples: [
              { labels: '{route="/a",slo="routes-availability",team="acme"}', value: 200 },
              { labels: '{route="/b",slo="routes-availability",team="acme"}', value: 0 },
            ],
          })),
          {
            // /a: 1 - 0.2 / 0.01 = -19 (overspent); /b: untouched.
            expr: `round(slo:period_error_budget_remaining:ratio${ROUTES})`,
            eval_time: '70m',
            exp_samples: [
              { labels: '{route="/a",slo="routes-availability",team="acme"}', value: -19 },
              { labels: '{route="/b",slo="routes-availability",team="acme"}', value: 1 },
            ],
          },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('recorded series as errors and total (labels a scan cannot read): 0 for every job while no job has an error series; once one has, the others record nothing, as before', async () => {
    const requests = [
      { series: 'job:api_requests:rate5m{job="a"}', values: '4x10' },
      { series: 'job:api_requests:rate5m{job="b"}', values: '4x10' },
      { series: 'job:api_requests:rate5m{job="c"}', values: '0x10' },
    ];
    const ratio = (job: string, value: number) => ({ labels: `slo:sli_error:ratio_rate5m{job="${job}",slo="recorded-availability",team="acme"}`, value });
    const out = await promtoolTest('recorded.test.yaml', [
      {
        name: 'no job has an error series; c has no requests',
        interval: '1m',
        input_series: requests,
        promql_expr_test: [{ expr: `slo:sli_error:ratio_rate5m${RECORDED}`, eval_time: '5m', exp_samples: [ratio('a', 0), ratio('b', 0)] }],
      },
      {
        name: 'job a has errors: b has no error series of its own',
        interval: '1m',
        input_series: [{ series: 'job:api_errors:rate5m{job="a"}', values: '1x10' }, ...requests],
        promql_expr_test: [{ expr: `slo:sli_error:ratio_rate5m${RECORDED}`, eval_time: '5m', exp_samples: [ratio('a', 0.25)] }],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('errors with labels the total lacks (a recorded series per job over an ungrouped sum): never a 0 while errors are counted', async () => {
    const out = await promtoolTest('mismatched.test.yaml', [
      {
        name: 'errors counted: they never divide, so nothing is recorded (no false 100 %)',
        interval: '1m',
        input_series: [
          { series: 'job:http_errors:rate5m{job="web"}', values: '5x10' },
          { series: 'http_requests_total{job="web",code="200"}', values: '0+600x10' },
        ],
        promql_expr_test: [{ expr: `slo:sli_error:ratio_rate5m${MISMATCHED}`, eval_time: '6m', exp_samples: [] }],
      },
      {
        name: 'no error series at all: 0 errors, which is true whatever the labels',
        interval: '1m',
        input_series: [{ series: 'http_requests_total{job="web",code="200"}', values: '0+600x10' }],
        promql_expr_test: [
          { expr: `slo:sli_error:ratio_rate5m${MISMATCHED}`, eval_time: '6m', exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{slo="mismatched-availability",team="acme"}`, value: 0 }] },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('a window without requests still records no ratio (not 0, not NaN), grouped or not, and nothing fires', async () => {
    const records = (sel: string) => [...WINDOWS.map((w) => `slo:sli_error:ratio_rate${w}${sel}`), `slo:period_error_budget_remaining:ratio${sel}`];
    const out = await promtoolTest('no-traffic.test.yaml', [
      {
        // The total series exist and never move (every window's rate is 0); no 5xx series.
        name: 'flat totals, no error series',
        interval: '1m',
        input_series: [
          { series: 'http_requests_total{job="shop",code="200"}', values: '5x90' },
          { series: 'api_requests_total{route="/a",code="200"}', values: '7x90' },
          { series: 'api_requests_total{route="/b",code="200"}', values: '9x90' },
        ],
        alert_rule_test: Object.values(BURN_ALERT).map((alertname) => ({ eval_time: '70m', alertname, exp_alerts: [] })),
        promql_expr_test: [...records(SHOP), ...records(ROUTES), ...shopPanels].map((expr) => ({ expr, eval_time: '70m', exp_samples: [] })),
      },
      {
        // Route /b quiet for the last half hour: its short windows lose their ratio, its long ones keep 0.
        name: 'one route quiet lately',
        interval: '1m',
        input_series: [
          { series: 'api_requests_total{route="/a",code="200"}', values: '0+10x90' },
          { series: 'api_requests_total{route="/b",code="200"}', values: '0+10x40 400x50' },
        ],
        promql_expr_test: [
          { expr: `slo:sli_error:ratio_rate5m${ROUTES}`, eval_time: '90m', exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{route="/a",slo="routes-availability",team="acme"}`, value: 0 }] },
          {
            expr: `slo:sli_error:ratio_rate1d${ROUTES}`,
            eval_time: '90m',
            exp_samples: ['/a', '/b'].map((r) => ({ labels: `slo:sli_error:ratio_rate1d{route="${r}",slo="routes-availability",team="acme"}`, value: 0 })),
          },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });
});
