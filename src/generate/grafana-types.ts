/**
 * @module generate/grafana-types
 * The subset of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10.4+/11) that
 * alertgate writes. Hand-written plain types on purpose: @grafana/grafana-foundation-sdk covers
 * every panel option through builder classes and versioned releases tied to Grafana versions,
 * which is far more than a few timeseries/stat/gauge/table panels need and would pin us to a
 * Grafana release line; these few types are easy to review against Grafana's import.
 */

export const SCHEMA_VERSION = 39;

export interface DataSourceRef {
  type: 'prometheus';
  /** Always the `${datasource}` template variable, never a hard-coded uid. */
  uid: string;
}

export interface GridPos {
  x: number;
  y: number;
  /** Columns of Grafana's 24-column grid. */
  w: number;
  h: number;
}

export interface PrometheusTarget {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat?: string;
  range: boolean;
  instant: boolean;
  format?: 'time_series' | 'table';
}

export interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'gauge' | 'table' | 'row';
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: PrometheusTarget[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  /** Row panels only. */
  collapsed?: boolean;
  panels?: Panel[];
}

export interface DatasourceVariable {
  name: 'datasource';
  label: string;
  type: 'datasource';
  query: 'prometheus';
  current: Record<string, never>;
  hide: 0;
  includeAll: false;
  multi: false;
  options: [];
  refresh: 1;
  regex: '';
}

export interface Dashboard {
  id: null;
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  editable: boolean;
  graphTooltip: number;
  timezone: string;
  time: { from: string; to: string };
  refresh: string;
  schemaVersion: number;
  version: number;
  links: unknown[];
  annotations: { list: unknown[] };
  templating: { list: DatasourceVariable[] };
  panels: Panel[];
}
