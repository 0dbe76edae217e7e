/**
 * @module generate/grafana-panels
 * Building blocks of generated dashboards: the `datasource` variable every panel points at,
 * panels of the four supported types, and the dashboard envelope. Pure functions.
 */
import type { PanelSpec, PanelType } from './model.js';
import { SCHEMA_VERSION, type Dashboard, type DataSourceRef, type DatasourceVariable, type Panel, type PrometheusTarget } from './grafana-types.js';
import { layout, type Size } from './grid-layout.js';

/** Panels query whatever Prometheus the viewer picks; no data source uid is baked in. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export const DATASOURCE_VARIABLE: DatasourceVariable = {
  name: 'datasource',
  label: 'Data source',
  type: 'datasource',
  query: 'prometheus',
  current: {},
  hide: 0,
  includeAll: false,
  multi: false,
  options: [],
  refresh: 1,
  regex: '',
};

const DEFAULT_SIZE: Record<PanelType, { w: number; h: number }> = {
  timeseries: { w: 12, h: 8 },
  table: { w: 12, h: 8 },
  stat: { w: 6, h: 4 },
  gauge: { w: 6, h: 6 },
};

/**
 * One colour for stat and gauge panels that give no thresholds of their own. Without thresholds
 * in the JSON, Grafana applies its default ones, green and then red from 80, and stat and gauge
 * colour by them: a count of 120 pods showed red. A stat shows its value in the text colour, a
 * gauge fills in blue: neither says good or bad, which nothing in the YAML said.
 */
const NEUTRAL_THRESHOLDS: Partial<Record<PanelType, string>> = { stat: 'text', gauge: 'blue' };

export interface PanelDraft {
  type: PanelType | 'row';
  title: string;
  description?: string;
  targets: Array<{ expr: string; legend?: string }>;
  unit?: string;
  /** Threshold (in the panel's unit) below which a stat/gauge turns red. */
  redBelow?: number;
  min?: number;
  max?: number;
  w?: number;
  h?: number;
}

export function draftFromSpec(p: PanelSpec): PanelDraft {
  return {
    type: p.type,
    title: p.title,
    ...(p.description !== undefined && { description: p.description }),
    targets: [{ expr: p.expr, ...(p.legend !== undefined && { legend: p.legend }) }],
    ...(p.unit !== undefined && { unit: p.unit }),
    ...(p.min !== undefined && { min: p.min }),
    ...(p.max !== undefined && { max: p.max }),
    ...(p.width !== undefined && { w: p.width }),
    ...(p.height !== undefined && { h: p.height }),
  };
}

/** Lays the drafts out on the grid and numbers them 1…n. */
export function panelsFromDrafts(drafts: PanelDraft[]): Panel[] {
  const sizes: Size[] = drafts.map((d) =>
    d.type === 'row' ? { w: 24, h: 1, fullLine: true } : { w: d.w ?? DEFAULT_SIZE[d.type].w, h: d.h ?? DEFAULT_SIZE[d.type].h },
  );
  const grid = layout(sizes);
  return drafts.map((d, i) => toPanel(d, i + 1, grid[i]!));
}

function toPanel(d: PanelDraft, id: number, gridPos: Panel['gridPos']): Panel {
  if (d.type === 'row') return { id, type: 'row', title: d.title, gridPos, collapsed: false, panels: [] };
  const instant = d.type !== 'timeseries';
  const targets: PrometheusTarget[] = d.targets.map((t, i) => ({
    refId: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''),
    datasource: DATASOURCE,
    expr: t.expr,
    ...(t.legend !== undefined && { legendFormat: t.legend }),
    range: !instant,
    instant,
    ...(d.type === 'table' && { format: 'table' as const }),
  }));
  const defaults: Record<string, unknown> = {
    ...(d.unit !== undefined && { unit: d.unit }),
    ...(d.min !== undefined && { min: d.min }),
    ...(d.max !== undefined && { max: d.max }),
    ...(d.redBelow !== undefined
      ? { thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: d.redBelow }] } }
      : NEUTRAL_THRESHOLDS[d.type] && { thresholds: { mode: 'absolute', steps: [{ color: NEUTRAL_THRESHOLDS[d.type], value: null }] } }),
  };
  return {
    id,
    type: d.type,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    gridPos,
    datasource: DATASOURCE,
    targets,
    fieldConfig: { defaults, overrides: [] },
    options: panelOptions(d.type),
  };
}

function panelOptions(type: PanelType): Record<string, unknown> {
  const reduce = { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } };
  switch (type) {
    case 'timeseries':
      return { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } };
    case 'stat':
      return { ...reduce, colorMode: 'value', graphMode: 'area', justifyMode: 'auto', orientation: 'auto', textMode: 'auto' };
    case 'gauge':
      return { ...reduce, orientation: 'auto', showThresholdLabels: false, showThresholdMarkers: true };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

export interface DashboardDraft {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  panels: PanelDraft[];
  /** Default time range; `now-6h`. */
  from?: string;
}

export function dashboardJson(d: DashboardDraft): Dashboard {
  return {
    id: null,
    uid: d.uid,
    title: d.title,
    ...(d.description !== undefined && { description: d.description }),
    tags: d.tags,
    editable: false, // changes belong in the YAML; Grafana would lose them on the next sync anyway
    graphTooltip: 1,
    timezone: 'browser',
    time: { from: d.from ?? 'now-6h', to: 'now' },
    refresh: '1m',
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    links: [],
    annotations: { list: [] },
    templating: { list: [DATASOURCE_VARIABLE] },
    panels: panelsFromDrafts(d.panels),
  };
}
