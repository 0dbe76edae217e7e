/**
 * @module generate/naming
 * Every generated name in one place: dashboard uids, titles and ConfigMap keys, SLO record and
 * alert names, object names. Validation (config/load-team-specs.ts) uses the same functions to
 * reject collisions before anything is written, so a name can never differ between the two.
 */
import { sha256Hex } from '../model/sha256.js';

/** Slug of the generated SLO/uptime dashboard; reserved in `dashboards/` files. */
export const SLO_DASHBOARD_SLUG = 'slos-uptime';

/**
 * Stable Grafana uid: `ag-` + 20 hex characters of sha256(team/slug). Stable across runs and
 * machines (renaming the dashboard title keeps it when `name:` is set), unique across teams
 * because the team is hashed in, and inside Grafana's 40-character limit.
 */
export function dashboardUid(team: string, slug: string): string {
  return `ag-${sha256Hex(`${team}/${slug}`).slice(0, 20)}`;
}

/** Generated titles carry the folder so that boards of different teams never share a title. */
export function dashboardTitle(folder: string, title: string): string {
  return `${folder} / ${title}`;
}

export function sloDashboardTitle(folder: string, team: string): string {
  // A folder named after the team already says whose SLOs these are.
  const folderIsTeam = folder.toLowerCase().replace(/[^a-z0-9]+/g, '-') === team;
  return dashboardTitle(folder, folderIsTeam ? 'SLOs and uptime' : `SLOs and uptime (${team})`);
}

/**
 * ConfigMap data key; the team prefix keeps files apart when teams share a Grafana folder. Not
 * always: team payments' `eu-checkout` and team payments-eu's `checkout` give the same key, so
 * validation rejects a key used twice (changing the format would rename every generated file).
 */
export function dashboardKey(team: string, slug: string): string {
  return `${team}-${slug}-dashboard.json`;
}

export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** Alert name of an SLO's burn-rate alerts (page and ticket share it; severity tells them apart). */
export function sloAlertName(sloName: string): string {
  return `${pascalCase(sloName)}ErrorBudgetBurn`;
}

/** Sloth/Pyrra-style record names. */
export const sloRecord = {
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
} as const;

export function prometheusRuleName(team: string): string {
  return `${team}-alertgate-rules`;
}

export function dashboardsConfigMapName(team: string): string {
  return `${team}-alertgate-dashboards`;
}
