/**
 * Acceptance: an alert or SLO query grouped only by labels the generated rule sets itself
 * (`count by (team) (…)`: alertgate sets `team` on every alert and SLO series) is refused by
 * `validate`. Prometheus replaces the grouped label's value with the rule's, so every series
 * becomes one labelset and the rule fails at evaluation ("vector contains metrics with the same
 * labelset after applying alert labels"): the alert never fires, the SLO records nothing, and
 * `promtool check rules` accepts it. A grouping that also keeps a label of the query's own is
 * fine unless two series differ only in the replaced one: a warning says so. A label every
 * selector pins with = to one value (team="payments") tells no series apart: left alone; one
 * only group_left (team) joins in is lost to the replacement: a warning says that.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import { prometheusRuleFor } from '../src/generate/prometheus-rule.js';
import { requireBinary } from '../src/testing/binaries.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeConfigDir, promtoolTestRules, removeTempDirs, routesFile, routeTeamsOf } from './generate-helpers.js';
import { REALISTIC_ALERT_EXPRS } from './realistic-alert-exprs.js';

const promtool = requireBinary('promtool');

afterAll(removeTempDirs);

const alert = (name: string, expr: string, labels: Record<string, string> = {}) => ({
  name,
  expr,
  severity: 'warning',
  summary: 's',
  runbook: 'https://runbooks.example/x',
  labels,
  annotations: {},
});
const slo = (name: string, by: string) => ({
  name,
  objective: 99,
  runbook: 'https://runbooks.example/slo',
  window: '30d',
  errors: `sum by (${by}) (rate(nginx_requests_total{status=~"5.."}[{{window}}]))`,
  total: `sum by (${by}) (rate(nginx_requests_total[{{window}}]))`,
});

describe.skipIf(!promtool)('the rules this refuses fail in Prometheus', () => {
  // Generated from the model directly: validate would refuse these files now.
  const generated = (alerts: ReturnType<typeof alert>[], slos: ReturnType<typeof slo>[]) =>
    stringify({ groups: prometheusRuleFor({ team: 'platform', file: 'rules/platform.yaml', namespace: 'monitoring', alerts, slos, uptime: [] })!.spec.groups });
  /** promtool's report on the rule file once two teams have series (it stops at the first rule that fails). */
  const evaluated = async (ruleFile: string, checks: object = {}) => {
    const dir = await makeConfigDir({ 'platform.rules.yaml': ruleFile });
    return promtoolTestRules(promtool!, dir, 't.yaml', {
      rule_files: ['platform.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'kube_pod_status_phase{phase="Failed",pod="a",team="payments"}', values: '1x10' },
            { series: 'kube_pod_status_phase{phase="Failed",pod="b",team="prisons"}', values: '1x10' },
            { series: 'nginx_requests_total{status="500",team="payments"}', values: '0+50x10' },
            { series: 'nginx_requests_total{status="200",team="prisons"}', values: '0+100x10' },
          ],
          promql_expr_test: [{ expr: 'vector(1)', eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] }],
          ...checks,
        },
      ],
    });
  };

  it('an alert grouped by team fails at its first evaluation once two teams have series', async () => {
    const out = await evaluated(generated([alert('PodsFailing', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) > 0')], []));
    expect(out).toContain('rule: PodsFailing, time: 0s, err: vector contains metrics with the same labelset after applying alert labels');
  });

  it('a ratio of two aggregations by team compared with a number fails the same way, as does one aggregation in parentheses', async () => {
    const ratio = 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) / count by (team) (kube_pod_status_phase) > 0.05';
    expect(await evaluated(generated([alert('PodsFailing', ratio)], []))).toContain(
      'rule: PodsFailing, time: 0s, err: vector contains metrics with the same labelset after applying alert labels',
    );
    const parenthesized = '(count by (team) (kube_pod_status_phase{phase="Failed"} == 1)) > 0';
    expect(await evaluated(generated([alert('PodsFailing', parenthesized)], []))).toContain(
      'rule: PodsFailing, time: 0s, err: vector contains metrics with the same labelset after applying alert labels',
    );
  });

  it('the same ratio grouped by a label of the series\' own evaluates and fires once per pod (the check below leaves it alone)', async () => {
    const ratio = '(count by (pod) (kube_pod_status_phase{phase="Failed"} == 1) / count by (pod) (kube_pod_status_phase)) > 0.05';
    const out = await evaluated(generated([alert('PodsFailing', ratio)], []), {
      alert_rule_test: [
        {
          eval_time: '5m',
          alertname: 'PodsFailing',
          exp_alerts: ['a', 'b'].map((pod) => ({ exp_labels: { pod, team: 'platform', severity: 'warning' }, exp_annotations: { summary: 's', runbook_url: 'https://runbooks.example/x' } })),
        },
      ],
    });
    expect(out).toContain('SUCCESS');
  });

  // What on, ignoring … group_left, and, unless and or leave of the labels (config/promql-result-labels.ts).
  it.each([
    ['a ratio of two by (team) sides matched on (team)', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) / on (team) count by (team) (kube_pod_status_phase) > 0.05'],
    ['on (team) keeps only team of selectors too', 'kube_pod_status_phase{phase="Failed"} > on (team) 0 * count by (team) (kube_pod_status_phase)'],
    ['group_left keeps the left side\'s team', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) / ignoring (phase) group_left count by (team) (kube_pod_status_phase) > 0'],
    ['and keeps the left side\'s team', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) > 0 and count by (team) (kube_pod_status_phase) > 0'],
    ['unless keeps the left side\'s team', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) unless on (team) kube_pod_status_phase{pod="none"}'],
    ['or vector(0) adds a series of no label', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) or vector(0)'],
    ['without (pod) over by (team, pod) leaves team', 'sum without (pod) (count by (team, pod) (kube_pod_status_phase{phase="Failed"} == 1)) > 0'],
  ])('%s: the alert fails at its first evaluation', async (_, expr) => {
    expect(await evaluated(generated([alert('PodsFailing', expr)], []))).toContain(
      'rule: PodsFailing, time: 0s, err: vector contains metrics with the same labelset after applying alert labels',
    );
  });

  it('the realistic expressions the check must leave alone are valid rules for promtool', async () => {
    const dir = await makeConfigDir({ 'platform.rules.yaml': generated(REALISTIC_ALERT_EXPRS.map((expr, i) => alert(`Realistic${i}`, expr)), []) });
    const run = await promisify(execFile)(promtool!, ['check', 'rules', path.join(dir, 'platform.rules.yaml')]).catch((err: { stdout: string; stderr: string }) => err);
    expect(`${run.stdout}${run.stderr}`).toContain(`SUCCESS: ${REALISTIC_ALERT_EXPRS.length} rules found`);
  });

  it('an SLO grouped by team records no error ratio: its first window fails', async () => {
    const out = await evaluated(generated([], [slo('ingress-availability', 'team')]));
    expect(out).toContain('rule: slo:sli_error:ratio_rate5m, time: 1m0s, err: vector contains metrics with the same labelset after applying rule labels');
  });

  it('an SLO grouped by severity records its ratios, but its burn-rate alerts fail once two severities burn', async () => {
    const dir = await makeConfigDir({ 'platform.rules.yaml': generated([], [slo('ingress-availability', 'severity')]) });
    const out = await promtoolTestRules(promtool!, dir, 't.yaml', {
      rule_files: ['platform.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: ['a', 'b'].map((sev) => ({ series: `nginx_requests_total{status="500",severity="${sev}"}`, values: '0+50x10' })),
          promql_expr_test: [{ expr: 'vector(1)', eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] }],
        },
      ],
    });
    // promtool names the first rule that fails: the records, evaluated before it in the group, did not.
    expect(out).toMatch(/rule: IngressAvailabilityErrorBudgetBurn, time: 1m0s, err: vector contains metrics with the same labelset after applying alert labels/);
  });

  it('grouped by a label the alert sets from a template of the series\' own, the alert evaluates (the check below leaves it alone)', async () => {
    const out = await evaluated(generated([alert('PodFailing', 'count by (pod) (kube_pod_status_phase{phase="Failed"} == 1) > 0', { pod: '{{ $labels.pod }}' })], []));
    expect(out).toContain('SUCCESS');
  });

  it('grouped by a label of its own as well, the alert evaluates (the check below only warns)', async () => {
    const out = await evaluated(generated([alert('PodsFailing', 'count by (pod, team) (kube_pod_status_phase{phase="Failed"} == 1) > 0')], []));
    expect(out).toContain('SUCCESS');
  });
});

/** Queries pinned to one team: every selector `team="payments"`, nothing on the way that drops or rewrites team. */
const PINNED = [
  'sum by (team) (rate(nginx_requests_total{team="payments"}[5m])) > 0',
  'sum by (team) (rate(nginx_requests_total{team="payments", status="500"}[5m])) / sum by (team) (rate(nginx_requests_total{team="payments"}[5m])) > 0.05',
  'count by (team) (kube_pod_status_phase{phase="Failed", team="payments"} == 1) > 0 and on (team) count by (team) (kube_pod_status_phase) > 0',
];
/** Pinned as a grouping with a label of the query's own: was a warning. */
const PINNED_WITH_OWN = 'sum by (pod, team) (kube_pod_status_phase{phase="Failed", team="payments"}) > 0';
/** Not pinned, though a selector names team: each fails once three teams have series. */
const NOT_PINNED = [
  ['!= leaves two teams', 'sum by (team) (rate(nginx_requests_total{team!="payments"}[5m])) > 0'],
  ['a regexp may match two teams', 'sum by (team) (rate(nginx_requests_total{team=~"payments|prisons"}[5m])) > 0'],
  ['or vector(0) adds a series without team', 'sum by (team) (rate(nginx_requests_total{team="payments"}[5m])) > 0 or vector(0)'],
  ['label_replace rewrites team', 'sum by (team) (label_replace(kube_pod_status_phase{team="payments"}, "team", "$1", "pod", "(.*)")) > 0'],
  ['a selector without the pin', 'sum by (team) (rate(nginx_requests_total{team="payments"}[5m])) > 0 or sum by (team) (rate(nginx_requests_total[5m])) > 0'],
] as const;

describe.skipIf(!promtool)('queries pinned to one team evaluate in Prometheus (promtool test rules)', () => {
  const generated = (alerts: ReturnType<typeof alert>[]) =>
    stringify({ groups: prometheusRuleFor({ team: 'payments', file: 'rules/payments.yaml', namespace: 'monitoring', alerts, slos: [], uptime: [] })!.spec.groups });
  const run = async (rules: ReturnType<typeof alert>[], checks: object = {}) =>
    promtoolTestRules(promtool!, await makeConfigDir({ 'payments.rules.yaml': generated(rules) }), 't.yaml', {
      rule_files: ['payments.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: ['payments', 'prisons', 'probation'].flatMap((team, i) => [
            { series: `nginx_requests_total{status="500",team="${team}"}`, values: '0+50x10' },
            { series: `kube_pod_status_phase{phase="Failed",pod="p${i}",team="${team}"}`, values: '1x10' },
            { series: `kube_pod_status_phase{phase="Failed",pod="q${i}",team="${team}"}`, values: '1x10' },
            { series: `kube_namespace_labels{namespace="ns${i}",team="${team}"}`, values: '1x10' },
            { series: `container_cpu_usage_seconds_total{namespace="ns${i}",pod="p${i}"}`, values: '0+600x10' },
          ]),
          promql_expr_test: [{ expr: 'vector(1)', eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] }],
          ...checks,
        },
      ],
    });

  it('a query pinned to team payments fires one alert, labelled team payments, with three teams\' series', async () => {
    const out = await run(PINNED.map((expr, i) => alert(`Pinned${i}`, expr)), {
      alert_rule_test: PINNED.map((_, i) => ({ eval_time: '5m', alertname: `Pinned${i}`, exp_alerts: [{ exp_labels: { team: 'payments', severity: 'warning' }, exp_annotations: { summary: 's', runbook_url: 'https://runbooks.example/x' } }] })),
    });
    expect(out).toContain('SUCCESS');
  });

  it('pinned, and grouped by a label of its own too, it fires once per pod', async () => {
    const out = await run([alert('PinnedPods', PINNED_WITH_OWN)], {
      alert_rule_test: [{ eval_time: '5m', alertname: 'PinnedPods', exp_alerts: ['p0', 'q0'].map((pod) => ({ exp_labels: { pod, team: 'payments', severity: 'warning' }, exp_annotations: { summary: 's', runbook_url: 'https://runbooks.example/x' } })) }],
    });
    expect(out).toContain('SUCCESS');
  });

  it.each(NOT_PINNED)('%s: the alert fails at its first evaluation', async (_, expr) => {
    expect(await run([alert('NotPinned', expr)])).toMatch(/rule: NotPinned, time: [0-9ms]+, err: vector contains metrics with the same labelset after applying alert labels/);
  });

  it('a team joined in by group_left (team) evaluates, and every alert gets the file\'s team, whichever team the join named', async () => {
    const expr = 'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total[5m])) * on (namespace) group_left (team) kube_namespace_labels > 4';
    const out = await run([alert('Joined', expr)], {
      alert_rule_test: [{ eval_time: '5m', alertname: 'Joined', exp_alerts: [0, 1, 2].map((i) => ({ exp_labels: { namespace: `ns${i}`, pod: `p${i}`, team: 'payments', severity: 'warning' }, exp_annotations: { summary: 's', runbook_url: 'https://runbooks.example/x' } })) }],
    });
    expect(out).toContain('SUCCESS');
  });
});

describe('validate on queries grouped by labels the generated rule sets', () => {
  it('reads binary expressions, their matching and set operators, and parentheses, naming the file, line and column of each refused query', async () => {
    const ratio = (by: string) => `sum by (${by}) (rate(errors_total[5m])) / sum by (${by}) (rate(requests_total[5m])) > 0.05`;
    const file = {
      team: 'platform',
      namespace: 'monitoring',
      alerts: [
        alert('ErrorRatio', ratio('team')),
        alert('Parenthesized', '(sum by (team)(rate(errors_total[5m]))) > 0'),
        alert('Scaled', '100 * -(sum(rate(errors_total[5m])) by (severity)) >= bool 1'),
        alert('NamespaceRatio', ratio('namespace, team')),
        // Refused too: what vector matching and set operators keep (config/promql-result-labels.ts).
        alert('On', 'sum by (team) (rate(errors_total[5m])) / on (team) sum by (team) (rate(requests_total[5m])) > 0.05'),
        alert('GroupLeft', 'sum by (team) (rate(errors_total[5m])) / ignoring (code) group_left sum by (team) (rate(requests_total[5m]))'),
        alert('And', 'sum by (team) (rate(errors_total[5m])) > 0 and sum by (team) (rate(requests_total[5m])) > 0'),
        alert('OrVector', 'sum by (team) (rate(errors_total[5m])) or vector(0)'),
        alert('WithoutOverBy', 'sum without (pod) (count by (team, pod) (rate(errors_total[5m]) > 0)) > 0'),
        // Left alone: a label of the query's own, groupings that differ, without alone, a left side the series label.
        alert('ServiceRatio', ratio('service')),
        alert('Differing', 'sum by (team) (rate(errors_total[5m])) / sum by (team, service) (rate(requests_total[5m])) > 0.05'),
        alert('Without', 'sum without (pod) (rate(errors_total[5m])) > 0'),
        alert('AndSelector', 'rate(errors_total[5m]) > 0 and on (team) sum by (team) (rate(requests_total[5m])) > 0'),
      ],
      slos: [
        {
          ...slo('ingress-by-team', 'team'),
          errors: 'sum by (team) (rate(nginx_requests_total[{{window}}])) - sum by (team) (rate(nginx_requests_total{status!~"5.."}[{{window}}]))',
        },
      ],
    };
    const text = stringify(file, { lineWidth: 0 });
    const dir = await makeConfigDir({ 'routes/platform.yaml': routesFile('platform'), 'rules/platform.yaml': text });
    const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    /** `file:line:col` of the value of the `n`th `key:` of the file as written. */
    const at = (key: string, n: number) => {
      const lines = text.split('\n');
      const line = lines.map((l, i) => (l.trimStart().startsWith(`${key}: `) ? i : -1)).filter((i) => i >= 0)[n]!;
      return `rules/platform.yaml:${line + 1}:${lines[line]!.indexOf(`${key}: `) + key.length + 3}`;
    };
    // Each up to where the explanation starts: what, where and which labels.
    expect(result.errors.map((e) => formatSourceError(e).split(': Prometheus replaces')[0])).toEqual([
      `${at('expr', 0)} alerts[0].expr: grouped by (team), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 1)} alerts[1].expr: grouped by (team), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 2)} alerts[2].expr: grouped by (severity), which alertgate sets on the alert (severity "warning")`,
      `${at('expr', 4)} alerts[4].expr: its result has no label but (team) (one-to-one matching \`/ on (team)\` keeps only the labels it matches on), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 5)} alerts[5].expr: its result has no label but (team) (\`/ ignoring (code) group_left\` keeps the labels of its left side, (team)), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 6)} alerts[6].expr: its result has no label but (team) (\`and\` keeps the labels of its left side, grouped by (team)), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 7)} alerts[7].expr: its result has no label but (team) (\`or\` adds the right side's series, labelled (), to the left side's, labelled (team)), which alertgate sets on the alert (team "platform")`,
      `${at('expr', 8)} alerts[8].expr: its result has no label but (team) (\`sum without (pod)\` keeps the labels of its argument, (pod, team), but those), which alertgate sets on the alert (team "platform")`,
      `${at('errors', 0)} slos[0].errors: grouped by (team), which alertgate sets on the SLO's series and alerts (team "platform")`,
    ]);
    expect(result.warnings.map((w) => formatSourceError(w).split(', so series')[0])).toEqual([
      `${at('expr', 3)} warning: alerts[3].expr: grouped by (namespace, team): alertgate replaces team with "platform" on the alert`,
    ]);
  });

  it('refuses those grouped only by such labels, warns where a label of their own is kept too, and leaves the rest alone', async () => {
    const file = {
      team: 'platform',
      namespace: 'monitoring',
      alerts: [
        alert('PodsFailing', 'count by (team) (kube_pod_status_phase{phase="Failed"} == 1) > 0'),
        alert('ServiceErrors', 'sum(rate(errors_total[5m])) by (service, severity)', { service: 'checkout' }),
        alert('NamespaceErrors', 'sum by (namespace, team) (rate(errors_total[5m])) >= 1'),
        alert('JobErrors', 'sum by (job) (rate(errors_total[5m])) > 1'),
        alert('AllErrors', 'sum(rate(errors_total[5m])) > 1'),
        alert('PodFailing', 'count by (pod) (kube_pod_status_phase{phase="Failed"} == 1) > 0', { pod: '{{ $labels.pod }}' }),
      ],
      slos: [slo('ingress-by-team', 'team'), slo('ingress-by-slo', 'slo, severity'), slo('ingress-by-host', 'host, team'), slo('ingress-by-route', 'route'), slo('ingress-by-severity', 'severity')],
    };
    const dir = await makeConfigDir({ 'routes/platform.yaml': routesFile('platform'), 'rules/platform.yaml': stringify(file) });
    const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    const said = (list: typeof result.errors) => list.map(formatSourceError).map((l) => l.replace(/^rules\/platform\.yaml:\d+:\d+ /, ''));
    expect(said(result.errors)).toEqual([
      expect.stringMatching(/^alerts\[0\]\.expr: grouped by \(team\), which alertgate sets on the alert \(team "platform"\)/),
      expect.stringMatching(/^alerts\[1\]\.expr: grouped by \(service, severity\), which alertgate sets on the alert \(service "checkout", severity "warning"\)/),
      expect.stringMatching(/^slos\[0\]\.errors: grouped by \(team\), which alertgate sets on the SLO's series and alerts \(team "platform"\)/),
      expect.stringMatching(/^slos\[1\]\.errors: grouped by \(severity, slo\), which alertgate sets on the SLO's series and alerts/),
      // The ratios keep severity (records set team and slo only): the burn alerts are what fail.
      expect.stringMatching(/^slos\[4\]\.errors: grouped by \(severity\), .*after applying alert labels"\): its burn-rate alerts never fire;/),
    ]);
    expect(result.errors[0]!.message).toContain('Prometheus fails the rule ("vector contains metrics with the same labelset after applying alert labels")');
    expect(said(result.warnings)).toEqual([
      expect.stringMatching(/^warning: alerts\[2\]\.expr: grouped by \(namespace, team\): alertgate replaces team with "platform"/),
      expect.stringMatching(/^warning: slos\[2\]\.errors: grouped by \(host, team\): alertgate replaces team with "platform"/),
    ]);
  });

  it('leaves alone a query whose every selector pins team with = to one value, and refuses the rest as before', async () => {
    const file = {
      team: 'payments',
      namespace: 'monitoring',
      alerts: [...PINNED.map((expr, i) => alert(`Pinned${i}`, expr)), alert('PinnedPods', PINNED_WITH_OWN), ...NOT_PINNED.map(([, expr], i) => alert(`NotPinned${i}`, expr))],
      slos: [
        { ...slo('pinned', 'team'), errors: 'sum by (team) (rate(nginx_requests_total{team="payments", status=~"5.."}[{{window}}]))', total: 'sum by (team) (rate(nginx_requests_total{team="payments"}[{{window}}]))' },
        // The ratio divides by total's series too: total unpinned, it is refused.
        { ...slo('half-pinned', 'team'), errors: 'sum by (team) (rate(nginx_requests_total{team="payments", status=~"5.."}[{{window}}]))' },
      ],
    };
    const dir = await makeConfigDir({ 'routes/payments.yaml': routesFile('payments'), 'rules/payments.yaml': stringify(file, { lineWidth: 0 }) });
    const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    const said = (list: typeof result.errors) => list.map(formatSourceError).map((l) => l.replace(/^rules\/payments\.yaml:\d+:\d+ /, '').split(', which alertgate')[0]);
    expect(said(result.errors)).toEqual([
      ...NOT_PINNED.map((_, i) => expect.stringMatching(new RegExp(`^alerts\\[${i + PINNED.length + 1}\\]\\.expr: (grouped by|its result has no label but) \\(team\\)`))),
      'slos[1].errors: grouped by (team)',
    ]);
    expect(said(result.warnings)).toEqual([]);
  });

  it("names the side of the join that brought the team in, not the outermost operator's", async () => {
    // group_right (team) under a one-to-one `/ ignoring (x)`: it was told to drop team from a group_left list it has none of.
    const exprs = [
      '(b * on (ns) group_right (team) sum by (ns, pod) (a)) / ignoring (x) sum by (ns, pod, team) (c) > 1',
      '(sum by (ns, pod) (a) * on (ns) group_left (team) b) / ignoring (x) sum by (ns, pod, team) (c) > 1',
      'z * on (ns, pod) group_right (zone) (sum by (ns, pod) (a) * on (ns) group_left (team) b) > 1',
    ];
    const file = { team: 'platform', namespace: 'monitoring', alerts: exprs.map((expr, i) => alert(`Joined${i}`, expr, { zone: 'eu' })), slos: [] };
    const dir = await makeConfigDir({ 'routes/platform.yaml': routesFile('platform'), 'rules/platform.yaml': stringify(file, { lineWidth: 0 }) });
    const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(result.errors.map(formatSourceError)).toEqual([]);
    const drop = (line: string) => line.split('; drop ')[1];
    expect(result.warnings.map(formatSourceError).map(drop)).toEqual([
      'team from the join\'s group_right (…) list (every alert of this file goes to team "platform")',
      'team from the join\'s group_left (…) list (every alert of this file goes to team "platform")',
      'team from the join\'s group_left (…) list and zone from the join\'s group_right (…) list (every alert of this file goes to team "platform")',
    ]);
  });

  it('refuses none of ~45 realistic alert expressions (mixin and kube-prometheus style), and warns only where group_left (team) joins the team in', async () => {
    const file = { team: 'platform', namespace: 'monitoring', alerts: REALISTIC_ALERT_EXPRS.map((expr, i) => alert(`Realistic${i}`, expr)), slos: [] };
    const dir = await makeConfigDir({ 'routes/platform.yaml': routesFile('platform'), 'rules/platform.yaml': stringify(file, { lineWidth: 0 }) });
    const result = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(result.errors.map(formatSourceError)).toEqual([]);
    const joined = REALISTIC_ALERT_EXPRS.flatMap((expr, i) => (expr.includes('group_left (team)') ? [i] : []));
    expect(joined.length).toBe(2);
    // Series differ in the labels they had before the join: nothing collides, the joined team is what is lost.
    expect(result.warnings.map(formatSourceError)).toEqual(
      joined.map((i) =>
        expect.stringMatching(
          new RegExp(
            `warning: alerts\\[${i}\\]\\.expr: its result has no label but \\([a-z, ]+\\) \\(.*group_left.*\\): alertgate replaces the team this query joins in with "platform" on the alert, so every alert of it has team "platform", whichever team the joined series name \\(its series still differ in the labels they had before the join, so none collide\\); drop team from the join's group_left \\(…\\) list \\(every alert of this file goes to team "platform"\\)$`,
          ),
        ),
      ),
    );
  });
});
