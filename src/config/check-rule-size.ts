/**
 * @module config/check-rule-size
 * A team's PrometheusRule must fit where prometheus-operator puts it: the operator writes each
 * PrometheusRule's spec as one rule file into ConfigMaps of at most half of Kubernetes' 1 MiB
 * (`maxConfigMapDataSize`), and refuses a larger one ("rule file … is too large for a single
 * Kubernetes ConfigMap"), after which it updates none of its Prometheus' rules: every team's
 * change waits on this one. Like the dashboards ConfigMap (load-team-specs.ts), a PrometheusRule
 * too big for a client-side `kubectl apply`'s last-applied annotation is a warning.
 */
import { stringify } from 'yaml';
import { prometheusRuleFor } from '../generate/prometheus-rule.js';
import type { TeamRules } from '../generate/model.js';
import { LAST_APPLIED_LIMIT_BYTES, lastAppliedMessage } from './last-applied-limit.js';
import type { SourceError } from './source-error.js';

const OPERATOR_RULE_FILE_LIMIT_BYTES = 524_288;
/** Below this much JSON neither limit is near, and the rule file need not be rendered. */
const FAR_BELOW_BYTES = 200_000;

/** Problems of `rules`' PrometheusRule size, at `at` (the rules file's `team:`). */
export function checkPrometheusRuleSize(rules: TeamRules, at: () => { file: string; line: number; col: number }): SourceError[] {
  const rule = prometheusRuleFor(rules);
  if (!rule) return [];
  const asJson = Buffer.byteLength(JSON.stringify(rule));
  if (asJson <= FAR_BELOW_BYTES) return [];
  // The operator marshals the spec with Go's YAML: lists not indented under their key, no folding.
  const ruleFile = Buffer.byteLength(stringify(rule.spec, { indentSeq: false, lineWidth: 0 }));
  if (ruleFile > OPERATOR_RULE_FILE_LIMIT_BYTES) {
    return [
      {
        ...at(),
        severity: 'error',
        message:
          `the PrometheusRule of team "${rules.team}" is about ${ruleFile} bytes as the rule file prometheus-operator writes of it, over the ` +
          `${OPERATOR_RULE_FILE_LIMIT_BYTES} it puts in one ConfigMap: the operator refuses it ("rule file … is too large for a single Kubernetes ConfigMap") ` +
          "and stops updating the rules of its Prometheus; make the team's rules smaller (fewer alerts or SLOs, shorter text)",
      },
    ];
  }
  if (asJson > LAST_APPLIED_LIMIT_BYTES) {
    return [
      {
        ...at(),
        severity: 'warning',
        message: lastAppliedMessage(`the PrometheusRule of team "${rules.team}"`, asJson, 'its rules'),
      },
    ];
  }
  return [];
}
