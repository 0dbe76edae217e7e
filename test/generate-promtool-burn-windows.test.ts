/**
 * Acceptance, under `promtool test rules`: the generated SLO burn-rate alerts fire at the burn
 * rates and windows the contract gives, each condition on its own, with the severities it gives
 * (page `critical`, ticket `warning`; asserted as written there, not read back from the generated
 * rules), and not for a blip the long window does not see; a page ends once its short window is
 * clear. The recorded budget remaining over 30 days of data is the known value.
 *
 * Not repeated here (test/generate-promtool.test.ts): a 20x burn from the start pages and
 * tickets, a 5x one tickets only, half the budget rate for 3 days fires nothing, no traffic fires
 * nothing. Each scenario below starts healthy, so every window sees a different error ratio and
 * only the condition under test can hold.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { requireBinary } from '../src/testing/binaries.js';
import { ACME_SHOP_SLO, expectAcmeRulesPass, removeTempDirs, routesFile, withGeneratedAcmeRules } from './generate-helpers.js';

const promtool = requireBinary('promtool');

const SLO = '{slo="shop-availability",team="acme"}';
const ALERT = 'ShopAvailabilityErrorBudgetBurn';
/** The contract's labels of the two burn alerts (docs/CONTRACT.md, rules/<team>.yaml). */
const CONTRACT_LABELS = {
  page: { team: 'acme', severity: 'critical', slo: 'shop-availability', slo_alert: 'page' },
  ticket: { team: 'acme', severity: 'warning', slo: 'shop-availability', slo_alert: 'ticket' },
};

afterAll(removeTempDirs);

describe.skipIf(!promtool)('generated SLO burn-rate alerts under `promtool test rules` (objective 99.9 %: budget 0.1 %)', () => {
  let dir: string;
  let annotations: Record<'page' | 'ticket', Record<string, string>>;
  beforeAll(async () => {
    const generated = await withGeneratedAcmeRules({ 'routes/acme.yaml': routesFile('acme'), 'rules/acme.yaml': `team: acme\nnamespace: acme-prod\nslos:\n${ACME_SHOP_SLO}` });
    dir = generated.dir;
    const of = (kind: 'page' | 'ticket') => generated.alerts.find((a) => a.labels.slo_alert === kind)!.annotations;
    annotations = { page: of('page'), ticket: of('ticket') };
  });

  const firing = (...kinds: Array<'page' | 'ticket'>) => kinds.map((k) => ({ exp_labels: CONTRACT_LABELS[k], exp_annotations: annotations[k] }));
  const alertsAt = (evalTimes: Record<string, Array<'page' | 'ticket'>>) =>
    Object.entries(evalTimes).map(([eval_time, kinds]) => ({ eval_time, alertname: ALERT, exp_alerts: firing(...kinds) }));
  /** `round(<record> * scale)` at `eval_time` is `value`: the input is seen as the scenario says. */
  const recorded = (record: string, eval_time: string, scale: number, value: number) => ({
    expr: `round(${record}${SLO} * ${scale})`,
    eval_time,
    exp_samples: [{ labels: SLO, value }],
  });
  /** The shop's http_requests_total, its successes (code 200) and failures (code 500), in promtool's series notation. */
  const shopRequests = (ok: string, failed: string) => [
    { series: 'http_requests_total{job="shop",code="200"}', values: ok },
    { series: 'http_requests_total{job="shop",code="500"}', values: failed },
  ];
  const expectPasses = (name: string, evaluationInterval: string, test: object) => expectAcmeRulesPass(promtool!, dir, name, evaluationInterval, test);

  it('pages by the second condition alone (6x over 6h and 30m): a 10x burn after 6 healthy hours tickets within the hour and pages after ~3.6 h, never by 14.4x over 1h', async () => {
    // 1000 requests a minute throughout; from minute 360, 1% of them fail (10x the budget rate).
    // Over a window reaching back before the burn the ratio is 10x · burning/window: 6h needs
    // 3.6 h of burning for 6x; 3d (of 6 h + t of data): 10t/(6h + t) > 1x at t = 40 min.
    await expectPasses('page-6h.test.yaml', '1m', {
      name: '10x from the 6th hour',
      interval: '1m',
      input_series: shopRequests('0+1000x360 360990+990x239', '0x360 10+10x239'),
      // 6h30m: 0.77x over 3d: nothing yet. 7h: 1.4x over 3d and 10x over 6h: ticket.
      // 9h: 5x over 6h (under 6x: no page). 10h: 6.7x over 6h and 10x over 30m: page.
      alert_rule_test: alertsAt({ '6h': [], '390m': [], '7h': ['ticket'], '9h': ['ticket'], '10h': ['page', 'ticket'] }),
      promql_expr_test: [
        // 10x over 1h and 5m all along: under the first condition's 14.4x, so the page is the second's.
        recorded('slo:sli_error:ratio_rate1h', '10h', 1000, 10),
        recorded('slo:sli_error:ratio_rate5m', '10h', 1000, 10),
        recorded('slo:sli_error:ratio_rate6h', '10h', 100000, 667),
      ],
    });
  });

  it('tickets by the second condition alone (1x over 3d and 6h): a 2x burn after a healthy day tickets once the 3d window is over 1x, and never pages', async () => {
    // 2000 requests every 2 minutes; from 24 h on, 4 of them fail (0.2 %, 2x the budget rate):
    // 3d (of 24 h + t data): 2t/(24h + t) > 1x at t = 24 h. 1d: at most 2x, under the 3x of the
    // first ticket condition; every page condition needs 6x.
    await expectPasses('ticket-3d.test.yaml', '10m', {
      name: '2x from the second day',
      interval: '2m',
      input_series: shopRequests('0+2000x720 1441996+1996x1079', '0x720 4+4x1079'),
      // 36h: 0.67x over 3d; 44h: 0.91x; 52h: 1.08x; 60h: 1.2x.
      alert_rule_test: alertsAt({ '30h': [], '36h': [], '44h': [], '52h': ['ticket'], '60h': ['ticket'] }),
      promql_expr_test: [recorded('slo:sli_error:ratio_rate3d', '60h', 100000, 120), recorded('slo:sli_error:ratio_rate1d', '60h', 100000, 200)],
    });
  });

  it('does not fire for a one-minute blip (10% errors): over 14.4x in the 5m window, not in the 1h one', async () => {
    // 1000 requests a minute; in minute 121 a hundred of them fail, then none again.
    await expectPasses('blip.test.yaml', '1m', {
      name: 'a one-minute blip after two healthy hours',
      interval: '1m',
      input_series: shopRequests('0+1000x120 120900+1000x60', '0x120 100x60'),
      alert_rule_test: alertsAt({ '121m': [], '122m': [], '123m': [], '125m': [], '150m': [], '3h': [] }),
      promql_expr_test: [
        // 2% over 5m (20x); 0.17% over 1h (1.7x), 0.33% over 30m (3.3x), 0.08% over 2h: under every long threshold.
        recorded('slo:sli_error:ratio_rate5m', '123m', 1000, 20),
        recorded('slo:sli_error:ratio_rate1h', '123m', 100000, 167),
        recorded('slo:sli_error:ratio_rate30m', '123m', 100000, 333),
      ],
    });
  });

  it('pages for a five-minute outage, and the page ends once both short windows (5m, 30m) are clear although the 1h and 6h windows still burn; the ticket stays', async () => {
    // 1000 requests a minute; minutes 121–125 every request fails.
    await expectPasses('outage.test.yaml', '1m', {
      name: 'five minutes of 100% errors after two healthy hours',
      interval: '1m',
      input_series: shopRequests('0+1000x120 120000x4 121000+1000x60', '0x120 1000+1000x4 5000x60'),
      // 125m: 100% over 5m, 8.3% over 1h (83x): page; 4.2% over 2h, 4% over 1d: ticket.
      // 131m: the 5m window is clear, the 30m one (17%) and 6h one (3.8%) still page.
      // 156m: nothing failed in the last 30 minutes: the page is over, the ticket (2h window) is not.
      alert_rule_test: alertsAt({ '120m': [], '125m': ['page', 'ticket'], '131m': ['page', 'ticket'], '150m': ['page', 'ticket'], '156m': ['ticket'], '3h': ['ticket'] }),
      promql_expr_test: [
        recorded('slo:sli_error:ratio_rate1h', '156m', 1000, 83),
        recorded('slo:sli_error:ratio_rate6h', '156m', 1000, 32),
        recorded('slo:sli_error:ratio_rate30m', '156m', 1000, 0),
        recorded('slo:sli_error:ratio_rate5m', '156m', 1000, 0),
      ],
    });
  });

  it('records the budget remaining over 30 days of data: half of it after 10 days at 1.5x, three quarters once 5 of those days left the window', async () => {
    // 100 000 requests an hour; the first 10 days 150 of them fail (0.15 %), then none.
    // At 30d the window holds all of it: 36 000 / 72 000 000 = 0.05 %, half the 0.1 % budget.
    // At 35d it holds days 5–35: 18 000 errors, 0.025 %: a quarter of the budget spent.
    await expectPasses('budget-30d.test.yaml', '1h', {
      name: 'ten days at 1.5x, then healthy',
      interval: '1h',
      input_series: shopRequests('0+99850x240 24064000+100000x599', '0+150x240 36000x599'),
      promql_expr_test: [
        recorded('slo:sli_error:ratio_rate30d', '30d', 100000, 50),
        recorded('slo:period_error_budget_remaining:ratio', '30d', 100, 50),
        recorded('slo:period_error_budget_remaining:ratio', '35d', 100, 75),
        // Healthy for the last 20 days: the ticket's windows see nothing.
        recorded('slo:sli_error:ratio_rate3d', '30d', 100000, 0),
        { expr: `slo:objective:ratio${SLO}`, eval_time: '35d', exp_samples: [{ labels: `slo:objective:ratio${SLO}`, value: 0.999 }] },
        { expr: `slo:error_budget:ratio${SLO}`, eval_time: '35d', exp_samples: [{ labels: `slo:error_budget:ratio${SLO}`, value: 0.001 }] },
      ],
      // While it burned at 1.5x (under 3x over 1d) the 3d window ticketed (1x), nothing paged.
      alert_rule_test: alertsAt({ '5d': ['ticket'], '30d': [], '35d': [] }),
    });
  });

  it('pages for one failed request on a service idle for two hours: the ratio counts no requests, 1 of 1 is 100 % over 1h and 5m (README: low traffic)', async () => {
    await expectPasses('lone-request.test.yaml', '1m', {
      name: 'idle, then one request, which fails',
      interval: '1m',
      input_series: shopRequests('0x140', '0x100 1x40'),
      // Idle: no ratio, nothing fires (as test/generate-promtool.test.ts shows); then both fire,
      // the page until the 30m window has passed the request (~131m), the ticket (2h) after it.
      alert_rule_test: alertsAt({ '100m': [], '101m': ['page', 'ticket'], '106m': ['page', 'ticket'], '120m': ['page', 'ticket'], '132m': ['ticket'] }),
      promql_expr_test: [recorded('slo:sli_error:ratio_rate1h', '101m', 1, 1)],
    });
  });
});
