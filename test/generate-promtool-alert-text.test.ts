/**
 * Acceptance, under `promtool test rules`: a team's generated alerts as an engineer reads them
 * in Slack or PagerDuty. Alert text and extra labels are expanded as the Go templates the README
 * says they are (`$labels`, `$value`, template functions); `for:` holds an alert pending for that
 * long and a shorter blip never fires; an alert without `for` fires at its first evaluation. The
 * generated `team` and `severity` labels replace those the series carries, so an alert whose
 * series name another team and its namespace is still attributed (src/attribute) to the team
 * whose rules file it came from, by its team label.
 *
 * Not repeated here: a `for: 5m` alert fires with team and severity (test/generate-promtool.test.ts),
 * Go template syntax (test/generate-templates.test.ts), the generated team label routing through
 * a real Prometheus and Alertmanager (test/generate-chain.test.ts), whose series carry no team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttributor } from '../src/attribute/attribute.js';
import { loadRoutingConfig } from '../src/config/load-routes.js';
import { formatSourceError } from '../src/config/source-error.js';
import type { RoutingConfig } from '../src/config/types.js';
import type { AlertingRule } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { ACME_SHOP_SLO, expectAcmeRulesPass, removeTempDirs, routesFile, withGeneratedAcmeRules } from './generate-helpers.js';

const promtool = requireBinary('promtool');

const ACME_RULES = `team: acme
namespace: acme-prod
alerts:
  - name: InstanceDown
    expr: up{job="shop"} == 0
    for: 5m
    severity: critical
    summary: "{{ $labels.instance }} of {{ $labels.job }} is down"
    description: |
      up is {{ $value }} on {{ $labels.instance }}: see #shop-oncall.
      A literal {{ "{{" }}, and '{{ $labels.job }}' quoted.
    runbook: https://runbooks.example/instance-down
    labels:
      instance_alias: "shop {{ $labels.instance }}"
    annotations:
      dashboard: "https://grafana.example/d/shop?var-instance={{ $labels.instance | urlquery }}"
  - name: ShopErrorRatioHigh
    expr: sum by (route) (rate(shop_errors_total[5m])) / sum by (route) (rate(shop_requests_total[5m])) > 0.05
    severity: warning
    summary: "{{ $labels.route }}: {{ $value | humanizePercentage }} of requests fail"
    runbook: https://runbooks.example/shop-errors
slos:
${ACME_SHOP_SLO}  - name: checkout-availability
    objective: 99.9
    window: 30d
    runbook: https://runbooks.example/checkout-slo
    description: "{{ $value | humanizePercentage }} of {{ $labels.slo }} requests failed."
    errors: sum(rate(checkout_requests_total{code=~"5.."}[{{window}}]))
    total: sum(rate(checkout_requests_total[{{window}}]))
`;

/** InstanceDown's description of shop-1, as Prometheus expands it (a block scalar: it ends with a newline). */
const DESCRIPTION = "up is 0 on shop-1: see #shop-oncall.\nA literal {{, and 'shop' quoted.\n";

/** InstanceDown's annotations of shop-1, as Prometheus expands them. */
const SHOP1_ANNOTATIONS = {
  summary: 'shop-1 of shop is down',
  description: DESCRIPTION,
  runbook_url: 'https://runbooks.example/instance-down',
  dashboard: 'https://grafana.example/d/shop?var-instance=shop-1',
};

/** The `up` series of `instance`, whose labels claim team payments (its namespace's) and severity info. */
const upSeries = (instance: string, values: string) => ({ series: `up{job="shop",instance="${instance}",namespace="payments-prod",team="payments",severity="info"}`, values });

/** The labels Prometheus gives the InstanceDown alert of `instance`, whose series claims team payments. */
const instanceDownLabels = (instance: string) => ({
  alertname: 'InstanceDown',
  job: 'shop',
  instance,
  namespace: 'payments-prod',
  team: 'acme',
  severity: 'critical',
  instance_alias: `shop ${instance}`,
});

afterAll(removeTempDirs);

describe.skipIf(!promtool)('generated team alerts under `promtool test rules`: text, `for`, and the team label', () => {
  let dir: string;
  let alerts: AlertingRule[];
  let routing: RoutingConfig;
  beforeAll(async () => {
    ({ dir, alerts } = await withGeneratedAcmeRules({ 'routes/acme.yaml': routesFile('acme'), 'routes/payments.yaml': routesFile('payments'), 'rules/acme.yaml': ACME_RULES }));
    const loaded = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'payments' });
    if (!loaded.config) throw new Error(`routes invalid:\n${loaded.errors.map(formatSourceError).join('\n')}`);
    routing = loaded.config;
  });

  const expectPasses = (name: string, test: object) => expectAcmeRulesPass(promtool!, dir, name, '1m', test);

  it('expands $labels and $value in summary, description, annotations and labels; team and severity replace the series\' own', async () => {
    const { alertname: _, ...labels } = instanceDownLabels('shop-1');
    await expectPasses('text.test.yaml', {
      name: 'shop-1 down; its series says team payments, severity info',
      interval: '1m',
      input_series: [upSeries('shop-1', '1 1 0x10')],
      alert_rule_test: [
        {
          eval_time: '8m',
          alertname: 'InstanceDown',
          exp_alerts: [
            {
              exp_labels: labels,
              exp_annotations: SHOP1_ANNOTATIONS,
            },
          ],
        },
      ],
    });
  });

  it('holds an alert pending for its `for: 5m`, fires it at 5 minutes, and never fires a 4-minute blip', async () => {
    const { alertname: _, ...shop1 } = instanceDownLabels('shop-1');
    const fired = [{ exp_labels: shop1, exp_annotations: SHOP1_ANNOTATIONS }];
    await expectPasses('for.test.yaml', {
      name: 'shop-1 down from minute 2; shop-2 down in minutes 2–5 only',
      interval: '1m',
      input_series: [upSeries('shop-1', '1 1 0x10'), upSeries('shop-2', '1 1 0 0 0 0 1x6')],
      alert_rule_test: [
        ...['2m', '5m', '6m'].map((t) => ({ eval_time: t, alertname: 'InstanceDown', exp_alerts: [] })),
        ...['7m', '10m'].map((t) => ({ eval_time: t, alertname: 'InstanceDown', exp_alerts: fired })),
      ],
    });
  });

  it('fires an alert without `for` at its first evaluation with a value, with $value through humanizePercentage', async () => {
    await expectPasses('no-for.test.yaml', {
      name: 'route /pay fails 10% of requests from the start, /browse none',
      interval: '1m',
      input_series: [
        { series: 'shop_requests_total{route="/pay"}', values: '0+100x10' },
        { series: 'shop_errors_total{route="/pay"}', values: '0+10x10' },
        { series: 'shop_requests_total{route="/browse"}', values: '0+100x10' },
        { series: 'shop_errors_total{route="/browse"}', values: '0x10' },
      ],
      alert_rule_test: [
        // One sample: no rate yet. The next minute it fires: no pending state.
        { eval_time: '0m', alertname: 'ShopErrorRatioHigh', exp_alerts: [] },
        ...['1m', '10m'].map((eval_time) => ({
          eval_time,
          alertname: 'ShopErrorRatioHigh',
          exp_alerts: [
            {
              exp_labels: { route: '/pay', team: 'acme', severity: 'warning' },
              exp_annotations: { summary: '/pay: 10% of requests fail', runbook_url: 'https://runbooks.example/shop-errors' },
            },
          ],
        })),
      ],
    });
  });

  it("expands $value in an SLO's description as the error ratio over the long window of the condition that holds", async () => {
    const burn = (kind: 'page' | 'ticket', value: string) => {
      const a = alerts.find((r) => r.alert === 'CheckoutAvailabilityErrorBudgetBurn' && r.labels.slo_alert === kind)!;
      const description = a.annotations.description!.replace('{{ $value | humanizePercentage }} of {{ $labels.slo }}', `${value} of checkout-availability`);
      return { exp_labels: a.labels, exp_annotations: { ...a.annotations, description } };
    };
    await expectPasses('slo-value.test.yaml', {
      // 1000 requests a minute; from the 6th hour 1% fail (10x the 0.1% budget rate).
      name: '10x from the 6th hour, at the 10th',
      interval: '1m',
      input_series: [
        { series: 'checkout_requests_total{code="200"}', values: '0+1000x360 360990+990x239' },
        { series: 'checkout_requests_total{code="500"}', values: '0x360 10+10x239' },
      ],
      // The page holds by 6x over 6h (2400 of 360 000: 0.6667%), the ticket by 3x over 1d (2400 of 600 000: 0.4%).
      alert_rule_test: [{ eval_time: '10h', alertname: 'CheckoutAvailabilityErrorBudgetBurn', exp_alerts: [burn('page', '0.6667%'), burn('ticket', '0.4%')] }],
    });
  });

  it("attributes every generated alert to the team of its rules file by the team label, whatever namespace its series carries", () => {
    const attributeAlert = createAttributor(routing);
    // As promtool showed above: the series' namespace (owned by payments) stays, the team label is acme's.
    expect(attributeAlert(instanceDownLabels('shop-1'))).toEqual({ team: 'acme', attributedBy: 'team-label' });
    expect(alerts.map((a) => a.alert)).toEqual([
      'InstanceDown',
      'ShopErrorRatioHigh',
      ...['ShopAvailabilityErrorBudgetBurn', 'CheckoutAvailabilityErrorBudgetBurn'].flatMap((burn) => [burn, burn]),
    ]);
    for (const a of alerts) {
      const labels = { namespace: 'payments-prod', ...a.labels, alertname: a.alert };
      expect({ alert: a.alert, severity: a.labels.severity, ...attributeAlert(labels) }).toEqual({ alert: a.alert, severity: a.labels.severity, team: 'acme', attributedBy: 'team-label' });
    }
  });
});
