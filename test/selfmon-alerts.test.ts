/**
 * The alerts alertgate ships about itself (deploy/kubernetes/prometheusrule.yaml): a valid
 * PrometheusRule (the CRD schema the generated rules are checked with, and `promtool check
 * rules`), alerts that fire when alertgate fails and stay quiet when it does not (`promtool test
 * rules`, a negative case for each), annotations that render the numbers, runbooks that exist,
 * an Alertmanager example that routes them around alertgate (`amtool`), and selectors that match
 * what a real gateway serves on /metrics from its first scrape, so a renamed metric or label
 * value breaks this test instead of silently muting an alert.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildAst, type Expr, type LabelMatcher } from '../src/config/promql-ast.js';
import { validateAgainstSchema, type OpenApiSchema } from '../src/generate/openapi-schema.js';
import type { AlertingRule, RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { makeConfigDir, promtoolTestRules, REPO_ROOT, removeTempDirs } from './generate-helpers.js';
import { ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';

const run = promisify(execFile);
const promtool = requireBinary('promtool');
const amtool = requireBinary('amtool');

const DEPLOY = path.join(REPO_ROOT, 'deploy/kubernetes');
const ruleText = await readFile(path.join(DEPLOY, 'prometheusrule.yaml'), 'utf8');
const ruleObject = parse(ruleText) as { metadata: { name: string; labels: Record<string, string> }; spec: { groups: RuleGroup[] } };
const alerts = ruleObject.spec.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
const deployment = parse(await readFile(path.join(DEPLOY, 'deployment.yaml'), 'utf8')) as { spec: { replicas: number } };
const amExample = path.join(DEPLOY, 'alertmanager-webhook.example.yaml');
const runbook = await readFile(path.join(REPO_ROOT, 'docs/runbook.md'), 'utf8');

const crd = parse(await readFile(path.join(REPO_ROOT, 'test/fixtures/prometheusrule-crd.yaml'), 'utf8')) as {
  spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApiSchema } }> };
};

/** The shipped rule of `name` (and `severity`, for an alert shipped at two severities). */
function rule(name: string, severity?: string): AlertingRule {
  const found = alerts.filter((a) => a.alert === name && (severity === undefined || a.labels.severity === severity));
  if (found.length !== 1) throw new Error(`expected one ${name} ${severity ?? ''} rule, found ${found.length}`);
  return found[0]!;
}

/**
 * An annotation as Prometheus renders it, for the template forms the shipped rules use (anything
 * else throws, so a new form must be taught here): `$value` printed as Go prints a float,
 * `humanizePercentage` (%.4g of a percentage) and `printf "%.0f"`.
 */
function render(template: string, labels: Record<string, string>, value: number): string {
  const out = template
    .replaceAll('{{ $value | humanizePercentage }}', `${Number((value * 100).toPrecision(4))}%`)
    .replaceAll('{{ printf "%.0f" $value }}', String(Math.round(value)))
    .replaceAll('{{ $value }}', String(value))
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '');
  if (out.includes('{{')) throw new Error(`render() does not know a template form in: ${out}`);
  return out;
}

/** What promtool should report for `alert` firing with `labels` (the expression's) at `value`. */
function firing(alert: AlertingRule, labels: Record<string, string>, value: number) {
  return {
    exp_labels: { ...labels, ...alert.labels },
    exp_annotations: Object.fromEntries(Object.entries(alert.annotations).map(([k, v]) => [k, render(v, labels, value)])),
  };
}

const NS = { namespace: 'monitoring' };
const A = 'job="alertgate",namespace="monitoring",pod="alertgate-a"';
const B = 'job="alertgate",namespace="monitoring",pod="alertgate-b"';
const series = (s: string, values: string) => ({ series: s, values });
const quiet = (alertname: string, ...times: string[]) => times.map((eval_time) => ({ eval_time, alertname, exp_alerts: [] }));

/** Alerts in each case, with the cases where the same alert must stay quiet. */
const CASES = [
  {
    name: 'every replica failing its scrape: AlertgateDown, not also AlertgateReplicasDown',
    input_series: [series(`up{${A}}`, '1 1 0x20'), series(`up{${B}}`, '1 1 0x20')],
    alert_rule_test: [
      ...quiet('AlertgateDown', '5m'), // down since 2m: still pending
      { eval_time: '10m', alertname: 'AlertgateDown', exp_alerts: [firing(rule('AlertgateDown'), {}, 1)] },
      ...quiet('AlertgateReplicasDown', '20m'),
    ],
  },
  {
    name: 'no alertgate target at all: AlertgateDown',
    input_series: [series('up{job="prometheus",namespace="monitoring"}', '1x10')],
    alert_rule_test: [{ eval_time: '8m', alertname: 'AlertgateDown', exp_alerts: [firing(rule('AlertgateDown'), {}, 1)] }],
  },
  {
    name: 'one of two replicas down: AlertgateReplicasDown after 15 minutes, not AlertgateDown',
    input_series: [series(`up{${A}}`, '1x30'), series(`up{${B}}`, '1 1 0x28')],
    alert_rule_test: [
      ...quiet('AlertgateReplicasDown', '10m'),
      { eval_time: '20m', alertname: 'AlertgateReplicasDown', exp_alerts: [firing(rule('AlertgateReplicasDown'), NS, 1)] },
      ...quiet('AlertgateDown', '20m'),
    ],
  },
  {
    name: 'both replicas up: neither',
    input_series: [series(`up{${A}}`, '1x30'), series(`up{${B}}`, '1x30')],
    alert_rule_test: quiet('AlertgateDown', '20m').concat(quiet('AlertgateReplicasDown', '20m')),
  },
  {
    name: 'a replica that cannot read its store for 5 minutes, and one whose 2-minute blip passed',
    input_series: [series(`alertgate_store_up{${A}}`, '1 1 0x10'), series(`alertgate_store_up{${B}}`, '1 0 0 1x10')],
    alert_rule_test: [
      ...quiet('AlertgateStoreUnreachable', '5m'),
      {
        eval_time: '10m',
        alertname: 'AlertgateStoreUnreachable',
        exp_alerts: [firing(rule('AlertgateStoreUnreachable'), { job: 'alertgate', namespace: 'monitoring', pod: 'alertgate-a' }, 0)],
      },
    ],
  },
  {
    name: 'a refused reload kept for 5 minutes, and one fixed after 3',
    input_series: [
      series(`alertgate_config_last_reload_successful{${A}}`, '1 1 0x10'),
      series(`alertgate_config_last_reload_successful{${B}}`, '1 0 0 0 1x10'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateConfigReloadFailed', '5m'),
      {
        eval_time: '10m',
        alertname: 'AlertgateConfigReloadFailed',
        exp_alerts: [firing(rule('AlertgateConfigReloadFailed'), { job: 'alertgate', namespace: 'monitoring', pod: 'alertgate-a' }, 0)],
      },
    ],
  },
  {
    name: '10% of webhooks answered 503 for 10 minutes; no 4xx',
    input_series: [
      series(`alertgate_webhook_requests_total{${A},code="202"}`, '0+90x30'),
      series(`alertgate_webhook_requests_total{${A},code="503"}`, '0+10x30'),
      series(`alertgate_webhook_requests_total{${A},code="401"}`, '0x30'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateWebhooksFailing', '5m'),
      { eval_time: '20m', alertname: 'AlertgateWebhooksFailing', exp_alerts: [firing(rule('AlertgateWebhooksFailing'), NS, 0.1)] },
      ...quiet('AlertgateWebhooksRejected', '20m'),
    ],
  },
  {
    name: '2% of webhooks answered 503 (a rollout, a blip): quiet',
    input_series: [
      series(`alertgate_webhook_requests_total{${A},code="202"}`, '0+98x30'),
      series(`alertgate_webhook_requests_total{${A},code="503"}`, '0+2x30'),
    ],
    alert_rule_test: quiet('AlertgateWebhooksFailing', '10m', '20m', '30m'),
  },
  {
    name: 'one webhook refused with 401 (Alertmanager drops it): fires at once, quiet again 30 minutes later',
    input_series: [
      series(`alertgate_webhook_requests_total{${A},code="202"}`, '0+10x60'),
      series(`alertgate_webhook_requests_total{${A},code="401"}`, '0 0 0 1x60'),
      series(`alertgate_webhook_requests_total{${B},code="400"}`, '0x60'),
    ],
    alert_rule_test: [
      { eval_time: '6m', alertname: 'AlertgateWebhooksRejected', exp_alerts: [firing(rule('AlertgateWebhooksRejected'), { ...NS, code: '401' }, 1)] },
      ...quiet('AlertgateWebhooksRejected', '40m'),
    ],
  },
  {
    name: 'webhooks POSTed to a mistyped path (404, Alertmanager drops them): fires at once, quiet again 30 minutes later',
    input_series: [
      series(`alertgate_http_unmatched_requests_total{${A},method="POST"}`, '0 0 0 1 1 2x60'),
      series(`alertgate_http_unmatched_requests_total{${B},method="POST"}`, '0x65'),
      // A scanner GETting unknown paths is no lost notification.
      series('alertgate_http_unmatched_requests_total{job="alertgate",namespace="scanned",pod="alertgate-c",method="GET"}', '0+5x65'),
      series('alertgate_http_unmatched_requests_total{job="alertgate",namespace="scanned",pod="alertgate-c",method="POST"}', '0x65'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateWebhooksMisdirected', '2m'),
      { eval_time: '8m', alertname: 'AlertgateWebhooksMisdirected', exp_alerts: [firing(rule('AlertgateWebhooksMisdirected'), NS, 2)] },
      ...quiet('AlertgateWebhooksMisdirected', '40m'),
    ],
  },
  {
    name: 'a dead PagerDuty page (critical) and a dead Slack message (warning); sends alone are quiet',
    input_series: [
      series(`alertgate_notifications_total{${A},team="payments",receiver="pagerduty",outcome="dead"}`, '0 0 1x80'),
      series(`alertgate_notifications_total{${B},team="payments",receiver="slack",outcome="dead"}`, '0 0 1x80'),
      series(`alertgate_notifications_total{${A},team="platform",receiver="slack",outcome="dead"}`, '0x80'),
      series(`alertgate_notifications_total{${A},team="platform",receiver="slack",outcome="sent"}`, '0+5x80'),
    ],
    alert_rule_test: [
      {
        eval_time: '5m',
        alertname: 'AlertgateNotificationsDead',
        exp_alerts: [
          firing(rule('AlertgateNotificationsDead', 'critical'), { ...NS, team: 'payments', receiver: 'pagerduty' }, 1),
          firing(rule('AlertgateNotificationsDead', 'warning'), { ...NS, team: 'payments', receiver: 'slack' }, 1),
        ],
      },
      ...quiet('AlertgateNotificationsDead', '70m'), // an hour after the last one went dead
    ],
  },
  {
    name: 'half of the Slack attempts failing for 15 minutes; PagerDuty failing 10%: quiet',
    input_series: [
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="sent"}`, '0+1x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="failed"}`, '0+1x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="dead"}`, '0x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="pagerduty",outcome="sent"}`, '0+9x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="pagerduty",outcome="failed"}`, '0+1x40'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateDeliveriesFailing', '10m'),
      { eval_time: '20m', alertname: 'AlertgateDeliveriesFailing', exp_alerts: [firing(rule('AlertgateDeliveriesFailing'), { ...NS, receiver: 'slack' }, 0.5)] },
    ],
  },
  {
    name: 'a Slack channel rate-limited once a minute for half an hour: AlertgateRateLimited after 15 minutes of it',
    input_series: [
      series(`alertgate_rate_limited_total{${A},team="payments",receiver="slack",scope="channel"}`, '0+1x60'),
      series(`alertgate_rate_limited_total{${A},team="payments",receiver="slack",scope="workspace"}`, '0x60'),
      series(`alertgate_rate_limited_total{${A},team="payments",receiver="pagerduty",scope="routing_key"}`, '0x60'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateRateLimited', '20m'), // over 10 in 15 minutes since about 11m: still pending
      {
        eval_time: '40m',
        alertname: 'AlertgateRateLimited',
        exp_alerts: [firing(rule('AlertgateRateLimited'), { ...NS, team: 'payments', receiver: 'slack', scope: 'channel' }, 15)],
      },
    ],
  },
  {
    name: 'a 429 every 2 minutes (a busy channel now and then over its limit), and one burst of 30: not sustained, quiet',
    input_series: [
      series(`alertgate_rate_limited_total{${A},team="payments",receiver="slack",scope="channel"}`, '0 0 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 11 11 12 12 13 13 14 14 15 15 16 16 17 17 18 18 19 19 20'),
      series(`alertgate_rate_limited_total{${B},team="payments",receiver="slack",scope="channel"}`, '0x40'),
      series(`alertgate_rate_limited_total{${A},team="platform",receiver="pagerduty",scope="routing_key"}`, '0 0 30x40'),
    ],
    alert_rule_test: quiet('AlertgateRateLimited', '15m', '17m', '25m', '40m'),
  },
  {
    name: 'notifications waiting and no attempt for 20 minutes: AlertgateOutboxStalled',
    input_series: [
      series(`alertgate_outbox_depth{${A}}`, '0 0 3x40'),
      series(`alertgate_outbox_depth{${B}}`, '0 0 3x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="sent"}`, '0+1x5 6x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="failed"}`, '0x45'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateOutboxStalled', '15m', '22m'),
      { eval_time: '30m', alertname: 'AlertgateOutboxStalled', exp_alerts: [firing(rule('AlertgateOutboxStalled'), NS, 3)] },
    ],
  },
  {
    name: 'notifications waiting while retries go on, or an empty idle outbox: not stalled',
    input_series: [
      series(`alertgate_outbox_depth{${A}}`, '3x40'),
      series(`alertgate_notifications_total{${A},team="payments",receiver="slack",outcome="failed"}`, '0 0 0 0 1 1 1 1 2 2 2 2 3 3 3 3 4 4 4 4 5 5 5 5 6 6 6 6 7 7 7 7 8 8 8 8 9 9 9 9'),
      series('alertgate_outbox_depth{job="alertgate",namespace="idle",pod="alertgate-c"}', '0x40'),
      series('alertgate_notifications_total{job="alertgate",namespace="idle",pod="alertgate-c",team="x",receiver="slack",outcome="sent"}', '0x40'),
    ],
    alert_rule_test: quiet('AlertgateOutboxStalled', '30m', '40m'),
  },
  {
    name: 'a notification still waiting after 20 minutes (Slack down, retried every 5 minutes): AlertgateNotificationsDelayed',
    input_series: [
      // Queued at minute 1; every replica reads the shared outbox (one a scrape behind).
      series(`alertgate_outbox_oldest_age_seconds{${A}}`, '0 0+60x40'),
      series(`alertgate_outbox_oldest_age_seconds{${B}}`, '0 0 0+60x39'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateNotificationsDelayed', '21m', '23m'), // over 20 minutes since 22m: still pending
      { eval_time: '25m', alertname: 'AlertgateNotificationsDelayed', exp_alerts: [firing(rule('AlertgateNotificationsDelayed'), NS, 24)] },
    ],
  },
  {
    name: 'normal retry sequences with the default backoff, and a requeued dead notification delivered at once: not delayed',
    input_series: [
      // A 10-minute Slack outage: its oldest message delivered at the first retry after it, 15 minutes
      // in; then one held back by a Retry-After at DELIVERY_RETRY_AFTER_MAX_MS (10 minutes).
      series(`alertgate_outbox_oldest_age_seconds{${A}}`, '0+60x15 0x5 0+60x11 0x20'),
      // A dead notification queued 3 days ago, requeued by an admin and delivered within the minute.
      series('alertgate_outbox_oldest_age_seconds{job="alertgate",namespace="requeued",pod="alertgate-c"}', '0x10 259200 0x40'),
    ],
    alert_rule_test: quiet('AlertgateNotificationsDelayed', '15m', '30m', '50m'),
  },
  {
    name: 'over 100 notifications waiting for 15 minutes: AlertgateOutboxBacklog; a backlog drained in 10: quiet',
    input_series: [
      series(`alertgate_outbox_depth{${A}}`, '0 50 150x30'),
      series(`alertgate_outbox_depth{${B}}`, '0 50 150x30'),
      series('alertgate_outbox_depth{job="alertgate",namespace="drained",pod="alertgate-c"}', '150x10 20x20'),
    ],
    alert_rule_test: [
      ...quiet('AlertgateOutboxBacklog', '10m'),
      { eval_time: '20m', alertname: 'AlertgateOutboxBacklog', exp_alerts: [firing(rule('AlertgateOutboxBacklog'), NS, 150)] },
    ],
  },
  {
    name: 'a delivery thread restarted on one replica fires for an hour, per pod; a replica without restarts is quiet',
    interval: '5m',
    input_series: [
      series(`alertgate_delivery_thread_restarts_total{${A}}`, '0 0 1 3x30'),
      series(`alertgate_delivery_thread_restarts_total{${B}}`, '0x33'),
    ],
    alert_rule_test: [
      { eval_time: '20m', alertname: 'AlertgateDeliveryThreadRestarted', exp_alerts: [firing(rule('AlertgateDeliveryThreadRestarted'), { ...NS, pod: 'alertgate-a' }, 3)] },
      ...quiet('AlertgateDeliveryThreadRestarted', '5m', '2h'),
    ],
  },
  {
    name: 'an uptime summary given up fires for 6 hours; failed attempts alone are quiet',
    interval: '5m',
    input_series: [
      series(`alertgate_uptime_reports_total{${A},team="payments",outcome="not_posted"}`, '0 0 1x90'),
      series(`alertgate_uptime_reports_total{${A},team="platform",outcome="attempt_failed"}`, '0+1x90'),
      series(`alertgate_uptime_reports_total{${A},team="platform",outcome="not_posted"}`, '0x90'),
    ],
    alert_rule_test: [
      { eval_time: '15m', alertname: 'AlertgateUptimeReportNotPosted', exp_alerts: [firing(rule('AlertgateUptimeReportNotPosted'), { ...NS, team: 'payments' }, 1)] },
      ...quiet('AlertgateUptimeReportNotPosted', '7h'),
    ],
  },
];

afterAll(removeTempDirs);

describe('deploy/kubernetes/prometheusrule.yaml', () => {
  it('is a PrometheusRule the CRD schema accepts, named and labelled like the other manifests', () => {
    expect(validateAgainstSchema(ruleObject, crd.spec.versions[0]!.schema.openAPIV3Schema)).toEqual([]);
    expect(ruleObject).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'alertgate' } });
    expect(ruleObject.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'alertgate', role: 'alert-rules' });
  });

  it('gives every alert a for, a severity, the label that routes it around alertgate, and text with a runbook that exists', () => {
    const anchors = new Set([...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-')));
    for (const a of alerts) {
      expect({ alert: a.alert, for: a.for }).toEqual({ alert: a.alert, for: expect.stringMatching(/^\d+[smh]$/) });
      expect(['critical', 'warning']).toContain(a.labels.severity);
      expect(a.labels.bypass_alertgate).toBe('true');
      expect(a.annotations.summary).toBeTruthy();
      expect(a.annotations.description).toBeTruthy();
      const url = new URL(a.annotations.runbook_url!);
      expect(url.pathname).toMatch(/\/docs\/runbook\.md$/);
      expect({ alert: a.alert, anchor: anchors.has(url.hash.slice(1)) }).toEqual({ alert: a.alert, anchor: true });
      expect(url.hash.slice(1)).toBe(a.alert.toLowerCase());
    }
  });

  it('says, in the file and in the runbook, to route these alerts around alertgate', () => {
    const comment = ruleText.split('\n').filter((l) => l.startsWith('#')).join('\n');
    expect(comment).toMatch(/ROUTE THESE ALERTS AROUND ALERTGATE/);
    expect(comment).toContain(`matchers: ['bypass_alertgate="true"']`);
    expect(runbook).toMatch(/## Route these alerts around alertgate/);
    expect(runbook).toContain(`matchers: ['bypass_alertgate="true"']`);
  });

  it('expects as many replicas as deployment.yaml runs', () => {
    const down = rule('AlertgateReplicasDown');
    expect(down.expr.trim()).toMatch(new RegExp(`< ${deployment.spec.replicas}$`));
    expect(down.annotations.summary).toContain(`of ${deployment.spec.replicas} alertgate replicas`);
  });

  describe.skipIf(!promtool)('with promtool', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await makeConfigDir({ 'alertgate.rules.yaml': stringify({ groups: ruleObject.spec.groups }, { lineWidth: 0 }) });
    });

    it('passes `promtool check rules`', async () => {
      const { stdout } = await run(promtool!, ['check', 'rules', path.join(dir, 'alertgate.rules.yaml')]);
      expect(stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
    });

    it('passes `promtool test rules`: each alert fires on its failure with its numbers, and stays quiet otherwise', async () => {
      // Every alert has a case where it fires and one where it must not.
      for (const a of new Set(alerts.map((r) => r.alert))) {
        const tests = CASES.flatMap((c) => c.alert_rule_test).filter((t) => t.alertname === a);
        expect({ a, fires: tests.some((t) => t.exp_alerts.length > 0), quiet: tests.some((t) => t.exp_alerts.length === 0) }).toEqual({ a, fires: true, quiet: true });
      }
      const tests = { rule_files: ['alertgate.rules.yaml'], evaluation_interval: '1m', tests: CASES.map((c) => ({ interval: '1m', ...c })) };
      expect(await promtoolTestRules(promtool!, dir, 'alertgate.test.yaml', tests)).toMatch(/SUCCESS/);
    });
  });

  describe.skipIf(!amtool)('with amtool', () => {
    const routeOf = async (labels: Record<string, string>) => {
      const args = ['config', 'routes', 'test', `--config.file=${amExample}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
      return (await run(amtool!, args)).stdout.trim();
    };

    it('the Alertmanager example is valid and sends every shipped alert to a receiver that does not go through alertgate', async () => {
      expect((await run(amtool!, ['check-config', amExample])).stdout).toContain('SUCCESS');
      const am = parse(await readFile(amExample, 'utf8')) as { receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }> };
      const throughAlertgate = new Set(am.receivers.filter((r) => r.webhook_configs?.some((w) => w.url.includes('alertgate'))).map((r) => r.name));
      for (const a of alerts) {
        const receiver = await routeOf({ alertname: a.alert, ...a.labels });
        expect({ alert: a.alert, receiver, throughAlertgate: throughAlertgate.has(receiver) }).toEqual({ alert: a.alert, receiver, throughAlertgate: false });
        expect(am.receivers.map((r) => r.name)).toContain(receiver);
      }
      // Everyone else's alerts still go to alertgate.
      expect(await routeOf({ alertname: 'KubePodCrashLooping', namespace: 'payments-prod', severity: 'critical' })).toBe('alertgate');
    });
  });
});

/** Each vector selector in `expr`: its metric name and label matchers. */
function selectorsOf(expr: string): Array<{ name: string; matchers: LabelMatcher[] }> {
  const out: Array<{ name: string; matchers: LabelMatcher[] }> = [];
  const walk = (e: Expr): void => {
    if (e.k === 'selector') out.push({ name: e.name ?? '', matchers: e.matchers });
    if ('inner' in e) walk(e.inner);
    if (e.k === 'binary') (walk(e.lhs), walk(e.rhs));
    if (e.k === 'call' || e.k === 'aggregate') e.args.forEach(walk);
  };
  walk(buildAst(parser.parse(expr).topNode, expr));
  return out;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
}

function samplesOf(exposition: string): Sample[] {
  return exposition
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(l);
      if (!m) throw new Error(`not an exposition line: ${l}`);
      return { name: m[1]!, labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!])) };
    });
}

function matches(sample: Sample, m: LabelMatcher): boolean {
  const value = sample.labels[m.label] ?? '';
  const re = new RegExp(`^(?:${m.value})$`);
  switch (m.op) {
    case 'EqlSingle':
      return value === m.value;
    case 'Neq':
      return value !== m.value;
    case 'EqlRegex':
      return re.test(value);
    case 'NeqRegex':
      return !re.test(value);
  }
}

/** Prometheus' own series (scrape health), not alertgate's /metrics. */
const PROMETHEUS_SERIES = new Set(['up']);

describe('the metrics the rules read, on a real gateway', () => {
  let fakes: Fakes;
  let t: TestGateway;
  let exposition: string;
  beforeAll(async () => {
    // The test estate, plus a scheduled uptime summary (whose failures an alert watches).
    const configDir = await makeConfigDir({});
    await cp(ESTATE_DIR, configDir, { recursive: true });
    const platform = path.join(configDir, 'routes/platform.yaml');
    await writeFile(platform, `${await readFile(platform, 'utf8')}reports:\n  - schedule: "0 9 1 1 *"\n    period: previous-month\n`);
    fakes = await startFakes();
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir });
    // The first scrape, before anything was received, delivered or refused.
    exposition = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  });
  afterAll(async () => {
    await t?.close();
    await fakes?.close();
  });

  const selectors = alerts.flatMap((a) => selectorsOf(a.expr).map((s) => ({ alert: a.alert, ...s }))).filter((s) => !PROMETHEUS_SERIES.has(s.name));

  it('serves every metric name the rules reference', () => {
    expect(selectors.length).toBeGreaterThan(10);
    const served = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    expect(selectors.filter((s) => !served.has(s.name)).map((s) => `${s.alert}: ${s.name}`)).toEqual([]);
  });

  it('serves, from the first scrape, a series for every selector, so increase() sees the first failure', () => {
    const samples = samplesOf(exposition);
    const unmatched = selectors.filter((s) => !samples.some((x) => x.name === s.name && s.matchers.every((m) => matches(x, m))));
    expect(unmatched.map((s) => `${s.alert}: ${s.name}{${s.matchers.map((m) => `${m.label}${m.op}${m.value}`).join(',')}}`)).toEqual([]);
    // The failure counters start at 0 (a series first seen at 1 is no increase to Prometheus).
    expect(exposition).toContain('alertgate_notifications_total{team="payments",receiver="pagerduty",outcome="dead"} 0');
    expect(exposition).toContain('alertgate_uptime_reports_total{team="platform",outcome="not_posted"} 0');
    expect(exposition).toContain('alertgate_webhook_requests_total{code="401"} 0');
    expect(exposition).toContain('alertgate_http_unmatched_requests_total{method="POST"} 0');
    expect(exposition).toContain('alertgate_rate_limited_total{team="payments",receiver="slack",scope="channel"} 0');
  });
});
