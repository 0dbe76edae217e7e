/**
 * Acceptance: a rule query in rules/payments.yaml whose series carry another team's name
 * (`x{team="prisons"} > 0`) is relabelled team="payments" by Prometheus (the generated rule sets
 * it), so its alerts go to payments, not prisons: `validate` warns, naming the other team. And a
 * regex that can only match one literal (`team=~"payments"`; Prometheus anchors every regex) pins
 * the label like `=`: a query grouped by team over it is not refused, and promtool evaluates it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import { prometheusRuleFor } from '../src/generate/prometheus-rule.js';
import { requireBinary } from '../src/testing/binaries.js';
import { makeConfigDir, promtoolTestRules, removeTempDirs, routesFile, routeTeamsOf } from './generate-helpers.js';

const promtool = requireBinary('promtool');
afterAll(removeTempDirs);

const alert = (name: string, expr: string) => ({ name, expr, severity: 'warning', summary: 's', runbook: 'https://runbooks.example/x', labels: {}, annotations: {} });

async function validate(alerts: ReturnType<typeof alert>[], slos: object[] = []) {
  const dir = await makeConfigDir({
    'routes/payments.yaml': routesFile('payments'),
    'routes/prisons.yaml': routesFile('prisons'),
    'rules/payments.yaml': stringify({ team: 'payments', namespace: 'payments-prod', alerts, slos }, { lineWidth: 0 }),
  });
  const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
  return { errors: result.errors.map(formatSourceError), warnings: result.warnings.map(formatSourceError) };
}

describe('validate: a query whose series carry another team\'s name', () => {
  it('warns, naming the file, the other team and where its alerts go; not for a value no team has, its own team, or a team aggregated away', async () => {
    const { errors, warnings } = await validate(
      [
        alert('OtherTeam', 'rate(http_errors_total{team="prisons"}[5m]) > 1'),
        alert('OtherTeamRegex', 'sum by (team) (rate(http_errors_total{team=~"prisons"}[5m])) > 1'),
        alert('NotATeam', 'rate(http_errors_total{team="legacy"}[5m]) > 1'),
        alert('OwnTeam', 'rate(http_errors_total{team="payments"}[5m]) > 1'),
        alert('AggregatedAway', 'sum(rate(http_errors_total{team="prisons"}[5m])) > 1'),
      ],
      [
        {
          name: 'prisons-api',
          objective: 99,
          window: '30d',
          runbook: 'https://runbooks.example/slo',
          errors: 'sum by (team) (rate(http_requests_total{team="prisons",code=~"5.."}[{{window}}]))',
          total: 'sum by (team) (rate(http_requests_total{team="prisons"}[{{window}}]))',
        },
      ],
    );
    expect(errors).toEqual([]);
    const said = (i: string, field = 'expr') =>
      expect.stringMatching(
        new RegExp(
          `^rules/payments\\.yaml:\\d+:\\d+ warning: ${i.replace(/[[\]]/g, '\\$&')}\\.${field}: its series carry team "prisons", another team's \\(routes/prisons\\.yaml\\), but alertgate sets team "payments" on every alert of rules/payments\\.yaml, replacing it: these alerts go to team payments, not prisons`,
        ),
      );
    expect(warnings).toEqual([said('alerts[0]'), said('alerts[1]'), said('slos[0]', 'errors')]);
    expect(warnings[0]).toContain("to alert prisons, put the rule in rules/prisons.yaml; to watch prisons' series for payments on purpose, aggregate team away");
  });
});

describe('a literal regex pins the label like =', () => {
  it('validate does not refuse a query grouped by team over team=~"payments", and still refuses one over team=~"payments|prisons"', async () => {
    const { errors, warnings } = await validate([
      alert('Literal', 'sum by (team) (rate(http_errors_total{team=~"payments"}[5m])) > 1'),
      alert('TwoTeams', 'sum by (team) (rate(http_errors_total{team=~"payments|prisons"}[5m])) > 1'),
      alert('Dot', 'sum by (team) (rate(http_errors_total{team=~"pay.ments"}[5m])) > 1'),
    ]);
    expect(errors.map((e) => e.split(': grouped by')[0]!.replace(/^rules\/payments\.yaml:\d+:\d+ /, ''))).toEqual(['alerts[1].expr', 'alerts[2].expr']);
    expect(warnings).toEqual([]);
  });

  it.skipIf(!promtool)('promtool evaluates it with three teams\' series: one alert, team payments; the other team\'s pin is relabelled payments', async () => {
    const rules = [alert('Literal', 'sum by (team) (rate(http_errors_total{team=~"payments"}[5m])) > 0'), alert('OtherTeam', 'http_errors_total{team="prisons"} > 0')];
    const ruleFile = stringify({ groups: prometheusRuleFor({ team: 'payments', file: 'rules/payments.yaml', namespace: 'payments-prod', alerts: rules, slos: [], uptime: [] })!.spec.groups });
    const expected = (labels: Record<string, string>) => ({ exp_labels: { ...labels, team: 'payments', severity: 'warning' }, exp_annotations: { summary: 's', runbook_url: 'https://runbooks.example/x' } });
    const out = await promtoolTestRules(promtool!, await makeConfigDir({ 'payments.rules.yaml': ruleFile }), 't.yaml', {
      rule_files: ['payments.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: ['payments', 'prisons', 'probation'].map((team) => ({ series: `http_errors_total{team="${team}",pod="p1"}`, values: '0+60x10' })),
          alert_rule_test: [
            { eval_time: '5m', alertname: 'Literal', exp_alerts: [expected({})] },
            { eval_time: '5m', alertname: 'OtherTeam', exp_alerts: [expected({ pod: 'p1' })] },
          ],
        },
      ],
    });
    expect(out).toContain('SUCCESS');
  });
});
