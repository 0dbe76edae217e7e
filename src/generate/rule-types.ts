/**
 * @module generate/rule-types
 * Prometheus rule-file shapes (also the `spec` of a PrometheusRule). Key order here is the key
 * order in the generated YAML, which keeps the output readable and byte-for-byte deterministic.
 */

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** A copy of `obj` with keys in sorted order (for maps whose keys come from users). */
export function sortedRecord(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
