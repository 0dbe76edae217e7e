/**
 * @module generate/dashboards
 * A team's dashboards → one ConfigMap the Grafana sidecar picks up: label
 * `grafana_dashboard: "1"`, annotation `grafana_folder: <folder>` (both names configurable), one
 * `<team>-<name>-dashboard.json` key per dashboard, plus the generated SLO/uptime dashboard for
 * teams with SLOs or uptime checks. Namespace and folder come from `dashboards/<team>.yaml`,
 * else the rules namespace and the team name.
 */
import type { Dashboard } from './grafana-types.js';
import { dashboardJson, draftFromSpec } from './grafana-panels.js';
import type { DashboardSpec, TeamSpec } from './model.js';
import { dashboardKey, dashboardsConfigMapName, dashboardTitle, dashboardUid, SLO_DASHBOARD_SLUG } from './naming.js';
import { sloDashboard } from './slo-dashboard.js';
import { escapeGoYamlUnsafe } from './yaml-ambiguous.js';

export interface DashboardOptions {
  /** Label the Grafana sidecar selects ConfigMaps by; value "1". Default `grafana_dashboard`. */
  labelName?: string;
  /** Annotation naming the Grafana folder. Default `grafana_folder`. */
  folderAnnotation?: string;
}

/** Labels alertgate sets on every dashboards ConfigMap besides the sidecar's: the sidecar label may not be one of them. */
export const OWNED_DASHBOARD_LABELS: readonly string[] = ['team', 'app.kubernetes.io/managed-by'];

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  data: Record<string, string>;
}

/**
 * Kubernetes refuses objects over 1 MiB; this leaves 4 KiB of it for the ConfigMap's metadata.
 * Validation (config/load-team-specs.ts) reports a team over it at its file; generate checks
 * again, so the error comes at generate time, not at apply time, even for callers that skip
 * validation.
 */
export const CONFIGMAP_DATA_LIMIT_BYTES = 1024 * 1024 - 4096;

export interface GeneratedDashboard {
  key: string;
  dashboard: Dashboard;
}

/** Every dashboard of a team, in ConfigMap key order. */
export function teamDashboards(team: TeamSpec): GeneratedDashboard[] {
  const folder = team.dashboards?.folder ?? team.team;
  const out: GeneratedDashboard[] = (team.dashboards?.dashboards ?? []).map((d) => ({
    key: dashboardKey(team.team, d.slug),
    dashboard: userDashboard(team.team, folder, d),
  }));
  const r = team.rules;
  if (r && (r.slos.length > 0 || r.uptime.length > 0)) {
    out.push({ key: dashboardKey(team.team, SLO_DASHBOARD_SLUG), dashboard: sloDashboard(r, folder) });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function userDashboard(team: string, folder: string, d: DashboardSpec): Dashboard {
  return dashboardJson({
    uid: d.uid ?? dashboardUid(team, d.slug),
    title: dashboardTitle(folder, d.title),
    ...(d.description !== undefined && { description: d.description }),
    tags: [...new Set(['alertgate', team, ...d.tags])],
    panels: d.panels.map(draftFromSpec),
  });
}

/** The ConfigMap's `data`: each board's JSON under its key. */
export function dashboardsConfigMapData(boards: GeneratedDashboard[]): Record<string, string> {
  const data: Record<string, string> = {};
  // JSON.stringify keeps U+2028 and the like raw; escaped, the JSON stays a block scalar go-yaml reads.
  for (const b of boards) data[b.key] = `${escapeGoYamlUnsafe(JSON.stringify(b.dashboard, null, 2))}\n`;
  return data;
}

/** Bytes of `data`, keys and values (UTF-8), what counts against CONFIGMAP_DATA_LIMIT_BYTES. */
export function configMapDataBytes(data: Record<string, string>): number {
  return Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** Undefined when the team has no dashboards at all. `boards`: teamDashboards(team), when the caller has it already. */
export function dashboardsConfigMapFor(team: TeamSpec, opts: DashboardOptions = {}, boards = teamDashboards(team)): ConfigMapObject | undefined {
  if (boards.length === 0) return undefined;
  const namespace = team.dashboards?.namespace ?? team.rules?.namespace;
  if (namespace === undefined) throw new Error(`could not generate dashboards of team ${team.team}: no namespace`);
  const labelName = opts.labelName ?? 'grafana_dashboard';
  // The CLI refuses it with the flag named (cli/generate.ts); this guards other callers.
  if (OWNED_DASHBOARD_LABELS.includes(labelName)) throw new Error(`could not generate dashboards of team ${team.team}: dashboard label "${labelName}" is set by alertgate`);
  const data = dashboardsConfigMapData(boards);
  const size = configMapDataBytes(data);
  if (size > CONFIGMAP_DATA_LIMIT_BYTES) {
    throw new Error(`could not generate dashboards of team ${team.team}: ${size} bytes exceed the 1 MiB ConfigMap limit; split the team's dashboards`);
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: dashboardsConfigMapName(team.team),
      namespace,
      labels: { [labelName]: '1', team: team.team, 'app.kubernetes.io/managed-by': 'alertgate' },
      annotations: { [opts.folderAnnotation ?? 'grafana_folder']: team.dashboards?.folder ?? team.team },
    },
    data,
  };
}
