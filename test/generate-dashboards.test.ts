/**
 * Acceptance: generated dashboard ConfigMaps for the shipped estate are what the Grafana sidecar
 * and Grafana import expect: label and folder annotation, one `<name>-dashboard.json` key per
 * board, uids valid and unique across teams, titles unique, a `datasource` variable used by every
 * panel, panels inside the 24-column grid without overlaps, and an SLO/uptime board per team
 * with SLOs or uptime checks.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { grafanaUnitProblem } from '../src/config/grafana-units.js';
import { findPromqlError } from '../src/config/promql.js';
import { dashboardsFile, generateOutputs } from '../src/generate/outputs.js';
import type { Dashboard, Panel } from '../src/generate/grafana-types.js';
import { overlaps } from '../src/generate/grid-layout.js';
import type { ConfigMapObject } from '../src/generate/dashboards.js';
import { copyOfShippedConfig, loadSpecsOrThrow, removeTempDirs, REPO_ROOT } from './generate-helpers.js';

const TEAMS = ['payments', 'platform', 'prisons', 'probation'];

afterAll(removeTempDirs);

describe('generated Grafana dashboards', () => {
  let configMaps: Map<string, ConfigMapObject>;
  let boards: Array<{ team: string; key: string; dashboard: Dashboard }>;

  beforeAll(async () => {
    const outputs = generateOutputs(await loadSpecsOrThrow(await copyOfShippedConfig()));
    configMaps = new Map(TEAMS.map((t) => [t, parse(outputs.get(dashboardsFile(t))!) as ConfigMapObject]));
    boards = [...configMaps].flatMap(([team, cm]) =>
      Object.entries(cm.data).map(([key, json]) => ({ team, key, dashboard: JSON.parse(json) as Dashboard })),
    );
  });

  it('one ConfigMap per team, labelled and annotated for the Grafana sidecar', () => {
    for (const [team, cm] of configMaps) {
      expect(cm.kind).toBe('ConfigMap');
      expect(cm.metadata.labels['grafana_dashboard']).toBe('1');
      expect(cm.metadata.annotations['grafana_folder']).toBeTruthy();
      for (const key of Object.keys(cm.data)) expect(key).toMatch(new RegExp(`^${team}-[a-z0-9-]+-dashboard\\.json$`));
    }
  });

  it('uses the dashboards/ namespace and folder, else the rules/ namespace and team name', () => {
    expect(configMaps.get('payments')!.metadata).toMatchObject({ namespace: 'payments-prod', annotations: { grafana_folder: 'Payments' } });
    // probation has no dashboards/ file, only SLOs in rules/.
    expect(configMaps.get('probation')!.metadata).toMatchObject({ namespace: 'manage-a-workforce-prod', annotations: { grafana_folder: 'probation' } });
  });

  it('gives every team with SLOs or uptime checks an SLO/uptime board', () => {
    for (const team of TEAMS) expect(Object.keys(configMaps.get(team)!.data)).toContain(`${team}-slos-uptime-dashboard.json`);
    const payments = boards.find((b) => b.key === 'payments-slos-uptime-dashboard.json')!.dashboard;
    const exprs = payments.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs).toContain('slo:period_error_budget_remaining:ratio{slo="checkout-availability",team="payments"}');
    expect(exprs).toContain('slo:sli_error:ratio_rate1h{slo="checkout-availability",team="payments"} / 0.001');
    expect(exprs.some((e) => e.startsWith('sum(sum_over_time(probe_success{job="blackbox",instance="https://checkout.example"}[$__range]))'))).toBe(true);
  });

  it('uids are valid (8–40 of A-Za-z0-9-_) and unique across all teams; titles are unique', () => {
    const uids = boards.map((b) => b.dashboard.uid);
    for (const uid of uids) expect(uid).toMatch(/^[A-Za-z0-9_-]{8,40}$/);
    expect(new Set(uids).size).toBe(uids.length);
    const titles = boards.map((b) => b.dashboard.title);
    expect(new Set(titles).size).toBe(titles.length);
    expect(boards.length).toBeGreaterThanOrEqual(9);
  });

  it('colour SLO availability and uptime red below the objective as a ratio, without binary noise (99.9 → 0.999)', () => {
    const greens = boards
      .filter((b) => b.key.endsWith('-slos-uptime-dashboard.json'))
      .flatMap((b) => b.dashboard.panels)
      .filter((p) => /^Availability over|uptime \(objective/.test(p.title))
      .map((p) => (p.fieldConfig!.defaults['thresholds'] as { steps: Array<{ color: string; value: number | null }> }).steps.at(-1)!);
    // payments: availability 99.9 and 99, uptime 99.9 and 99.5; platform, prisons and probation too.
    expect(greens.length).toBeGreaterThanOrEqual(9);
    expect(new Set(greens.map((g) => g.value))).toEqual(new Set([0.999, 0.995, 0.99]));
  });

  it("set every stat and gauge panel's thresholds, so Grafana's default (red from 80) never colours a value, and a gauge's scale as given", async () => {
    // Without thresholds in the JSON Grafana applies its own, green then red from 80: "Pods up: 120" showed red.
    for (const { key, dashboard } of boards) {
      for (const p of dashboard.panels.filter((x) => x.type === 'stat' || x.type === 'gauge')) {
        expect(p.fieldConfig!.defaults['thresholds'], `${key}: ${p.title}`).toBeDefined();
      }
    }
    const payments = boards.find((b) => b.key === 'payments-checkout-dashboard.json')!.dashboard;
    expect(payments.panels.find((p) => p.title === 'Pods up')!.fieldConfig!.defaults).toEqual({
      thresholds: { mode: 'absolute', steps: [{ color: 'text', value: null }] },
    });
    const queue = boards.find((b) => b.key === 'payments-providers-dashboard.json')!.dashboard.panels.find((p) => p.title === 'Basket queue depth')!;
    expect(queue.fieldConfig!.defaults).toMatchObject({ min: 0, max: 1000, thresholds: { mode: 'absolute', steps: [{ color: 'blue', value: null }] } });
  });

  it('have a datasource variable that every panel and target uses, and a current schemaVersion', () => {
    for (const { dashboard } of boards) {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(dashboard.id).toBeNull();
      expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
      for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
        expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets!.length).toBeGreaterThan(0);
        for (const t of p.targets!) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('lay panels out on the 24-column grid without overlaps, with unique panel ids', () => {
    for (const { key, dashboard } of boards) {
      const panels: Panel[] = dashboard.panels;
      for (const [i, a] of panels.entries()) {
        expect(a.gridPos.x).toBeGreaterThanOrEqual(0);
        expect(a.gridPos.x + a.gridPos.w, `${key}: ${a.title}`).toBeLessThanOrEqual(24);
        for (const b of panels.slice(i + 1)) expect(overlaps(a.gridPos, b.gridPos), `${key}: ${a.title} / ${b.title}`).toBe(false);
      }
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    }
  });

  it('query valid PromQL in every panel (Grafana range variables aside)', () => {
    for (const { key, dashboard } of boards) {
      for (const t of dashboard.panels.flatMap((p) => p.targets ?? [])) {
        expect(findPromqlError(t.expr.replaceAll('$__range', '1h')), `${key}: ${t.expr}`).toBeUndefined();
      }
    }
  });

  it('use only units Grafana knows: every unit of the shipped and generated boards, and of the dashboard examples in README and docs/', async () => {
    const docs = [path.join(REPO_ROOT, 'README.md'), ...(await readdir(path.join(REPO_ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => path.join(REPO_ROOT, 'docs', f))];
    const exampleUnits = (await Promise.all(docs.map((f) => readFile(f, 'utf8')))).flatMap((text) => [...text.matchAll(/^\s*unit:\s*([^\s#]+)/gm)].map((m) => m[1]!));
    const boardUnits = boards.flatMap(({ dashboard }) => dashboard.panels.map((p) => p.fieldConfig?.defaults['unit']).filter((u): u is string => typeof u === 'string'));
    const units = new Set([...exampleUnits, ...boardUnits]);
    // The units the shipped config and the SLO boards use, so this test cannot pass on an empty list.
    expect([...units]).toEqual(expect.arrayContaining(['reqps', 'percentunit', 's', 'short']));
    for (const unit of units) expect(grafanaUnitProblem(unit), unit).toBeUndefined();
  });

  it('honour other label and annotation names for the sidecar', async () => {
    const outputs = generateOutputs(await loadSpecsOrThrow(await copyOfShippedConfig()), {
      dashboards: { labelName: 'grafana_dashboard_mojcp', folderAnnotation: 'k8s-sidecar-target-directory' },
    });
    const cm = parse(outputs.get(dashboardsFile('payments'))!) as ConfigMapObject;
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard_mojcp: '1' });
    expect(cm.metadata.labels).not.toHaveProperty('grafana_dashboard');
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Payments' });
  });
});
