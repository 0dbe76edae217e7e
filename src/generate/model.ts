/**
 * @module generate/model
 * The validated model of `rules/<team>.yaml` and `dashboards/<team>.yaml` (the spec, with
 * positions, lives in config/rules-schema.ts and config/dashboards-schema.ts). Generators take
 * only these plain types, so they are pure functions of the model and testable without YAML.
 */

export interface AlertRuleSpec {
  name: string;
  expr: string;
  /** Prometheus duration; absent means the alert fires at once. */
  for?: string;
  /** Prometheus duration: how long the alert keeps firing after its condition last held (Prometheus 2.42+). */
  keepFiringFor?: string;
  severity: string;
  summary: string;
  runbook: string;
  description?: string;
  /** Extra labels (never `team` or `severity`, which the generator owns). */
  labels: Record<string, string>;
  /** Extra annotations (never `summary` or `runbook_url`). */
  annotations: Record<string, string>;
}

export interface SloSpec {
  name: string;
  /** Percent, strictly between 0 and 100. */
  objective: number;
  /** Prometheus duration, the SLO period (e.g. 30d). */
  window: string;
  /** PromQL with `{{window}}` placeholders. */
  errors: string;
  total: string;
  description?: string;
  runbook?: string;
}

export interface UptimeSpec {
  service: string;
  /** PromQL returning 1 when up, 0 when down. */
  up: string;
  /** Percent. */
  objective: number;
  /** Prometheus duration: the probe's scrape interval. */
  interval?: string;
}

export interface TeamRules {
  team: string;
  /** Path of the rules file relative to the config dir, as named (`rules/web.yml`): for messages and generated headers. */
  file: string;
  namespace: string;
  alerts: AlertRuleSpec[];
  slos: SloSpec[];
  uptime: UptimeSpec[];
}

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'table';

export interface PanelSpec {
  title: string;
  type: PanelType;
  expr: string;
  unit?: string;
  legend?: string;
  description?: string;
  /** Value scale (Grafana's Min/Max); default: the values shown. */
  min?: number;
  max?: number;
  /** Grid columns (1–24); default depends on the panel type. */
  width?: number;
  /** Grid rows; default depends on the panel type. */
  height?: number;
}

export interface DashboardSpec {
  title: string;
  /** File-name slug: `<team>-<slug>-dashboard.json`; unique within the team. */
  slug: string;
  /** Explicit Grafana uid, else derived from team and slug. */
  uid?: string;
  description?: string;
  tags: string[];
  panels: PanelSpec[];
}

export interface TeamDashboards {
  team: string;
  /** Path of the dashboards file relative to the config dir, as named: for messages and generated headers. */
  file: string;
  namespace: string;
  folder: string;
  dashboards: DashboardSpec[];
}

export interface TeamSpec {
  team: string;
  rules?: TeamRules;
  dashboards?: TeamDashboards;
}

export interface TeamSpecs {
  /** Sorted by team name, so every generator walks them in a stable order. */
  teams: TeamSpec[];
}
