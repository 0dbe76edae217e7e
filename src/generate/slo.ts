/**
 * @module generate/slo
 * SLO → Prometheus rules, the multi-window multi-burn-rate method of the Google SRE workbook
 * (chapter 5, "Alerting on SLOs"), with Sloth/Pyrra-style record names:
 *
 * - `slo:sli_error:ratio_rate<w>` for w in 5m 30m 1h 2h 6h 1d 3d and the SLO window: the error
 *   ratio `(errors) / (total)` with `{{window}}` replaced by w: none while total is 0, and 0 where
 *   errors has no series but total has requests (slo-error-ratio.ts).
 *   A ratio of sums, so every request weighs the same (a quiet instance failing does not outweigh
 *   a busy healthy one).
 * - `slo:objective:ratio`, `slo:error_budget:ratio` and
 *   `slo:period_error_budget_remaining:ratio` (1 − error ratio over the window / budget; negative
 *   when overspent), for dashboards.
 * - Alerts `<Slo>ErrorBudgetBurn`: page (critical) at 14.4× over 1h and 5m or 6× over 6h and 30m;
 *   ticket (warning) at 3× over 1d and 2h or 1× over 3d and 6h.
 *
 * Every series carries `slo` and `team` labels; rules of one SLO share a group, so recordings
 * evaluate before the alerts that read them.
 */
import type { SloSpec } from './model.js';
import { sloAlertName, sloRecord } from './naming.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './rule-types.js';
import { errorRatio } from './slo-error-ratio.js';

export const SLO_RATE_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export interface BurnCondition {
  factor: number;
  long: string;
  short: string;
}

export interface BurnAlert {
  kind: 'page' | 'ticket';
  severity: 'critical' | 'warning';
  conditions: BurnCondition[];
}

export const BURN_ALERTS: readonly BurnAlert[] = [
  { kind: 'page', severity: 'critical', conditions: [{ factor: 14.4, long: '1h', short: '5m' }, { factor: 6, long: '6h', short: '30m' }] },
  { kind: 'ticket', severity: 'warning', conditions: [{ factor: 3, long: '1d', short: '2h' }, { factor: 1, long: '3d', short: '6h' }] },
];

/** (100 − objective) / 100 without binary noise: 99.9 → 0.001, not 0.0010000000000000009. */
export function errorBudget(objective: number): number {
  return Number(((100 - objective) / 100).toPrecision(12));
}

/**
 * objective / 100 without binary noise: 99.9 → 0.999, not 0.9990000000000001 (which, as a
 * dashboard threshold, showed an availability of exactly the objective red).
 */
export function objectiveRatio(objective: number): number {
  return Number((objective / 100).toPrecision(12));
}

export function sloWindows(slo: SloSpec): string[] {
  return [...new Set<string>([...SLO_RATE_WINDOWS, slo.window])];
}

/** `{slo="…",team="…"}`: the selector of one SLO's recorded series. */
export function sloSelector(team: string, slo: SloSpec): string {
  return `{slo=${JSON.stringify(slo.name)},team=${JSON.stringify(team)}}`;
}

export function sloRuleGroup(team: string, slo: SloSpec): RuleGroup {
  const labels = { slo: slo.name, team };
  const sel = sloSelector(team, slo);
  const budget = errorBudget(slo.objective);
  const ratio = errorRatio(slo);
  const ratios: RecordingRule[] = sloWindows(slo).map((w) => ({ record: sloRecord.errorRatio(w), expr: ratio(w), labels }));
  const meta: RecordingRule[] = [
    { record: sloRecord.objective, expr: `vector(${objectiveRatio(slo.objective)})`, labels },
    { record: sloRecord.errorBudget, expr: `vector(${budget})`, labels },
    { record: sloRecord.budgetRemaining, expr: `1 - ${sloRecord.errorRatio(slo.window)}${sel} / ${budget}`, labels },
  ];
  const alerts: AlertingRule[] = BURN_ALERTS.map((b) => burnAlert(team, slo, b));
  return { name: `${team}-slo-${slo.name}`, rules: [...ratios, ...meta, ...alerts] };
}

function burnAlert(team: string, slo: SloSpec, b: BurnAlert): AlertingRule {
  const sel = sloSelector(team, slo);
  const budget = errorBudget(slo.objective);
  const over = (w: string, factor: number): string => `${sloRecord.errorRatio(w)}${sel} > (${factor} * ${budget})`;
  // One condition per block, as the SRE workbook writes them: readable in `kubectl get -o yaml`.
  const expr = b.conditions.map((c) => `(\n  ${over(c.long, c.factor)}\nand\n  ${over(c.short, c.factor)}\n)`).join('\nor\n');
  const how = b.conditions.map((c) => `${c.factor}x the budget rate over ${c.long} and ${c.short}`).join(', or ');
  const annotations: Record<string, string> = {
    summary: `SLO ${slo.name} (${slo.objective}% over ${slo.window}) is burning its error budget too fast (${b.kind})`,
    ...(slo.runbook !== undefined && { runbook_url: slo.runbook }),
    description: `The error ratio of ${team}/${slo.name} is above ${how} (1x spends exactly the ${slo.window} error budget).${
      slo.description ? ` ${slo.description}` : ''
    }`,
  };
  return {
    alert: sloAlertName(slo.name),
    expr,
    labels: { team, severity: b.severity, slo: slo.name, slo_alert: b.kind },
    annotations,
  };
}
