/**
 * @module generate/prometheus-rule
 * A team's rules → one `monitoring.coreos.com/v1` PrometheusRule in the team's namespace:
 * a group of the team's own alerts, then one group per SLO (generate/slo.ts). Every alert gets
 * the `team` label (so it routes back to the team through alertgate) and `severity`, and the
 * `summary` and `runbook_url` annotations.
 */
import type { AlertRuleSpec, TeamRules } from './model.js';
import { prometheusRuleName } from './naming.js';
import { sortedRecord, type AlertingRule, type RuleGroup } from './rule-types.js';
import { sloRuleGroup } from './slo.js';

/**
 * Metadata labels alertgate sets on every PrometheusRule, each with what it always is. Extra
 * labels may not give them: spread under these, the user's value would vanish without a word.
 */
export const OWNED_RULE_LABELS: Readonly<Record<string, string>> = {
  role: 'alert-rules',
  team: "the team's name",
  'app.kubernetes.io/managed-by': 'alertgate',
};

export interface PrometheusRuleOptions {
  /** Extra metadata labels (e.g. the `ruleSelector` of your Prometheus); `role: alert-rules` is always set. */
  extraLabels?: Record<string, string>;
}

export interface PrometheusRuleObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

/** Undefined when the team has neither alerts nor SLOs (uptime checks alone need no rules). */
export function prometheusRuleFor(rules: TeamRules, opts: PrometheusRuleOptions = {}): PrometheusRuleObject | undefined {
  const groups: RuleGroup[] = [];
  if (rules.alerts.length > 0) groups.push({ name: `${rules.team}-alerts`, rules: rules.alerts.map((a) => alertingRule(rules.team, a)) });
  for (const slo of rules.slos) {
    try {
      groups.push(sloRuleGroup(rules.team, slo));
    } catch (err) {
      throw new Error(`could not generate "${slo.name}" slo of team ${rules.team}: ${(err as Error).message}`);
    }
  }
  if (groups.length === 0) return undefined;
  // The CLI refuses these with the flag named (cli/generate.ts); this guards other callers.
  const owned = Object.keys(opts.extraLabels ?? {}).find((k) => Object.hasOwn(OWNED_RULE_LABELS, k));
  if (owned !== undefined) throw new Error(`could not generate the PrometheusRule of team ${rules.team}: extra label "${owned}" is set by alertgate`);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: prometheusRuleName(rules.team),
      namespace: rules.namespace,
      labels: {
        ...sortedRecord(opts.extraLabels ?? {}),
        role: 'alert-rules',
        team: rules.team,
        'app.kubernetes.io/managed-by': 'alertgate',
      },
    },
    spec: { groups },
  };
}

export function alertingRule(team: string, a: AlertRuleSpec): AlertingRule {
  return {
    alert: a.name,
    expr: a.expr,
    ...(a.for !== undefined && { for: a.for }),
    ...(a.keepFiringFor !== undefined && { keep_firing_for: a.keepFiringFor }),
    labels: { ...sortedRecord(a.labels), team, severity: a.severity },
    annotations: {
      summary: a.summary,
      runbook_url: a.runbook,
      ...(a.description !== undefined && { description: a.description }),
      ...sortedRecord(a.annotations),
    },
  };
}
