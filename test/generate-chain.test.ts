/**
 * Acceptance, the whole chain with real processes: team YAML → `generateOutputs` → a real
 * `prometheus` loads the generated rule groups and scrapes a counter this test drives → a real
 * `prometheus-alertmanager` → alertgate (in process) → fake Slack. The alert's labels come only
 * from the generated rules (no namespace, no hand-written label anywhere), so the message reaching
 * the team's channel proves the generated `team` label routes back to the team.
 */
import { cp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import { startAlertmanager, type AlertmanagerProcess } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import type { FakeSlackRequest } from '../src/testing/fake-slack.js';
import { loadSpecsOrThrow, makeConfigDir, removeTempDirs, ruleFileFromPrometheusRule } from './generate-helpers.js';
import { ESTATE_DIR, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-server.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('prometheus-alertmanager');

/**
 * Team prisons (routes from the test estate: #prisons-alerts). The rules' namespace is one no team
 * owns, and the scraped series carry no namespace: only the generated `team` label can route them.
 */
const PRISONS_RULES = `team: prisons
namespace: shared-checkout
alerts:
  - name: CheckoutServingErrors
    expr: sum by (job) (increase(http_requests_total{job="checkout",code="500"}[1m])) > 0
    severity: warning
    summary: Checkout is serving errors
    runbook: https://runbooks.example/checkout-errors
slos:
  - name: checkout-availability
    objective: 99.9
    window: 30d
    runbook: https://runbooks.example/checkout-slo
    errors: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))
    total: sum(rate(http_requests_total{job="checkout"}[{{window}}]))
`;

/** A /metrics endpoint whose counters grow on every scrape; errors only once `failing` is set. */
interface TestExporter {
  port: number;
  failing: boolean;
  /** Resolves once the exporter has been scraped `n` more times. */
  scrapes(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function startExporter(): Promise<TestExporter> {
  const counts = { ok: 0, errors: 0 };
  const waiters: Array<() => void> = [];
  const state = { failing: false };
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    counts.ok += 100;
    if (state.failing) counts.errors += 50;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n' +
        `http_requests_total{code="200"} ${counts.ok}\nhttp_requests_total{code="500"} ${counts.errors}\n`,
    );
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const nextScrape = (deadline: number, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exporter not scraped within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    port: (server.address() as AddressInfo).port,
    get failing() {
      return state.failing;
    },
    set failing(v: boolean) {
      state.failing = v;
    },
    async scrapes(n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < n; i++) await nextScrape(deadline, timeoutMs);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const canRun = prometheusBin !== undefined && alertmanagerBin !== undefined;

describe.skipIf(!canRun)('generated rules → real Prometheus → real Alertmanager → alertgate → Slack', () => {
  let fakes: Fakes | undefined;
  let gateway: TestGateway | undefined;
  let am: AlertmanagerProcess | undefined;
  let prometheus: PrometheusProcess | undefined;
  let exporter: TestExporter | undefined;

  beforeAll(async () => {
    const dir = await makeConfigDir({ 'rules/prisons.yaml': PRISONS_RULES });
    await cp(path.join(ESTATE_DIR, 'routes'), path.join(dir, 'routes'), { recursive: true });
    const outputs = generateOutputs(await loadSpecsOrThrow(dir));
    await writeFile(path.join(dir, 'prisons.rules.yaml'), ruleFileFromPrometheusRule(outputs.get(prometheusRuleFile('prisons'))!));

    fakes = await startFakes();
    gateway = await startTestGateway(fakes);
    am = await startAlertmanager({
      webhookUrl: `${gateway.gw.url}/webhooks/alertmanager`,
      bearerToken: WEBHOOK_TOKEN,
      groupWait: '200ms',
      groupInterval: '1s',
    });
    exporter = await startExporter();
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'prisons.rules.yaml')],
      scrape_configs: [{ job_name: 'checkout', static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }] }],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] },
    };
    // On a free port, tried again on another if it is taken before Prometheus binds it.
    prometheus = await startPrometheus(prometheusBin!, dir, path.join(dir, 'tsdb'), 20_000, stringify(config));
  });

  afterAll(async () => {
    // Every process, even when set-up failed half way.
    await Promise.allSettled([prometheus?.stop(), am?.stop()]);
    await Promise.allSettled([exporter?.close(), gateway?.close()]);
    await fakes?.close();
    await removeTempDirs();
  });

  const topLevelPosts = () => fakes!.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
  const postOf = (alertname: string) => (r: FakeSlackRequest) =>
    r.method === 'chat.postMessage' && r.body.thread_ts === undefined && String(r.body.text).includes(alertname);

  it("a counter alert and an SLO burn alert reach the owning team's Slack channel, attributed by the generated team label", async (ctx) => {
    // Baseline first: Prometheus must have seen the error counter at 0 for increase()/rate() to rise.
    // (Prometheus hands new targets to the scraper after up to 5 s, hence the bound.)
    await exporter!.scrapes(2, 12_000);
    const failingSince = Date.now();
    exporter!.failing = true;

    const diagnostics = () => `\n--- prometheus ---\n${prometheus!.logs()}\n--- alertmanager ---\n${am!.logs()}`;
    const withDiagnostics = (e: Error): never => {
      throw new Error(`${e.message}${diagnostics()}`);
    };
    const counterPost = await fakes!.slack.waitFor(postOf('CheckoutServingErrors'), 12_000).catch(withDiagnostics);
    // A third of the requests fail: far beyond 14.4x the 0.1% budget over 1h and 5m, so the SLO pages.
    // An alert of its own rule group and Alertmanager group, each evaluated or flushed on its own
    // timer: as long a bound as the counter's, for a loaded machine (5 s after it was tight).
    const sloPost = await fakes!.slack.waitFor(postOf('CheckoutAvailabilityErrorBudgetBurn'), 12_000).catch(withDiagnostics);
    ctx.annotate(`first Slack post ${Date.now() - failingSince} ms after errors started`);

    expect(counterPost.body.channel).toBe('#prisons-alerts');
    expect(sloPost.body.channel).toBe('#prisons-alerts');
    // Nothing went to the fallback team or anyone else.
    expect(new Set(topLevelPosts().map((p) => p.body.channel))).toEqual(new Set(['#prisons-alerts']));

    const res = await fetch(`${gateway!.gw.url}/v1/alerts?team=prisons`);
    const { items } = (await res.json()) as { items: Array<{ team: string; labels: Record<string, string> }> };
    const counter = items.find((a) => a.labels.alertname === 'CheckoutServingErrors');
    // Exactly the generated labels plus what the scrape and the `sum by (job)` keep: no namespace.
    expect(counter?.labels).toEqual({ alertname: 'CheckoutServingErrors', job: 'checkout', severity: 'warning', team: 'prisons' });
    const page = items.find((a) => a.labels.alertname === 'CheckoutAvailabilityErrorBudgetBurn' && a.labels.slo_alert === 'page');
    expect(page).toMatchObject({ team: 'prisons', labels: { severity: 'critical', slo: 'checkout-availability', team: 'prisons' } });
    expect(items.every((a) => a.team === 'prisons' && a.labels.namespace === undefined)).toBe(true);
  }, 60_000);
});
