/**
 * @module config/check-rule-label-grouping
 * An alert or SLO query grouped by labels the generated rule sets itself. Prometheus gives each
 * series of a rule's result the rule's labels, replacing a value the series had: `team` on
 * every alert and SLO series (so alerts route back to the team of the rules file), `severity`
 * and the alert's own `labels` on an alert, `slo` on an SLO's series and `severity` and
 * `slo_alert` on its burn-rate alerts. A query grouped only by such labels (`count by (team)
 * (…) > 0`) yields series that differ only in them, so once it finds two they have the same
 * labels and Prometheus fails the rule at each evaluation ("vector contains metrics with the
 * same labelset after applying alert labels"): the alert never fires, the SLO records nothing.
 * `promtool check rules` accepts it, so it is refused here. Grouped by a label of the query's
 * own as well (`by (namespace, team)`), it fails only where two series differ in nothing else:
 * a warning, as the replaced label is of no use in the grouping anyway.
 *
 * Two cases replace a value without making series alike. A label the query pins to one value
 * (`sum by (team) (rate(x{team="payments"}[5m]))`: config/promql-pinned-labels.ts) tells no two
 * series apart, so replacing it joins none: no refusal, no warning (Prometheus fails only once two
 * teams' series are there, and the pin keeps them out). A label only `group_left (team)` brings in
 * tells none apart either (each series is one of the join's many side): replacing it joins none,
 * but throws away what the join brought, which a warning says.
 *
 * Only results whose labels are read without a parse are checked (config/promql-result-labels.ts):
 * numbers, aggregations, selectors and calls joined by binary operators, with what `on`,
 * `ignoring`, `group_left`/`group_right` and the set operators do to the labels, in any
 * parentheses. A result whose labels the series decide (`sum without (pod) (rate(…))`, a selector
 * alone, aggregations grouped apart without matching modifiers) is left to the author.
 */
import { pinnedLabels } from './promql-pinned-labels.js';
import { resultLabels, type ResultLabels } from './promql-result-labels.js';
import type { RulesFileSpec } from './rules-schema.js';
import type { SourceError } from './source-error.js';
import { errorAt, type YamlSource } from './yaml-source.js';

export function checkRuleLabelGrouping(src: YamlSource, spec: RulesFileSpec, team: string, problems: SourceError[]): void {
  spec.alerts.forEach((a, i) => {
    const grouping = resultLabels(a.expr);
    const set: Record<string, string> = {};
    // A templated value (`instance: "{{ $labels.instance }}"`) is the series' own again, one per
    // series: it replaces nothing with a constant, so grouping by it is sound.
    for (const [k, v] of Object.entries(a.labels ?? {})) if (!String(v).includes('{{')) set[k] = JSON.stringify(v);
    Object.assign(set, { team: `"${team}"`, severity: `"${a.severity}"` });
    check(src, ['alerts', i, 'expr'], grouping, set, () => pinnedLabels(a.expr), 'the alert', 'alert', 'the alert never fires', problems);
  });
  spec.slos.forEach((s, i) => {
    const errorsGrouping = resultLabels(s.errors);
    const field = errorsGrouping ? 'errors' : 'total';
    const grouping = errorsGrouping ?? resultLabels(s.total);
    const set = { team: `"${team}"`, slo: `"${s.name}"`, severity: '"critical" or "warning"', slo_alert: '"page" or "ticket"' };
    // team and slo are set on the recorded ratios already; severity and slo_alert only on the alerts.
    const recorded = (grouping?.labels ?? []).some((l) => l === 'team' || l === 'slo');
    const [word, consequence] = recorded
      ? (['rule', 'no error ratio is recorded and its burn-rate alerts never fire'] as const)
      : (['alert', 'its burn-rate alerts never fire'] as const);
    // The ratio's series come from both queries (`(errors or 0 * total) / total`): pinned in both.
    const pinned = () => {
      const [errors, total] = [pinnedLabels(s.errors), pinnedLabels(s.total)];
      return new Map([...errors].filter(([l, v]) => total.get(l) === v));
    };
    check(src, ['slos', i, field], grouping, set, pinned, "the SLO's series and alerts", word, consequence, problems);
  });
}

function check(
  src: YamlSource,
  path: [string, number, string],
  grouping: ResultLabels | undefined,
  set: Record<string, string>,
  /** Parsed only when a replaced label is found (see promql-pinned-labels.ts). */
  pinnedOf: () => ReadonlyMap<string, string>,
  where: string,
  prometheusWord: 'alert' | 'rule',
  consequence: string,
  problems: SourceError[],
): void {
  const labels = grouping?.labels ?? [];
  if (!labels.some((l) => Object.hasOwn(set, l))) return;
  const pinned = pinnedOf();
  // Pinned and joined labels tell no two series apart: replacing them makes none alike.
  const sideOf = new Map((grouping!.joined ?? []).map((j) => [j.label, j.side]));
  const joined = labels.filter((l) => Object.hasOwn(set, l) && !pinned.has(l) && sideOf.has(l));
  const replaced = labels.filter((l) => Object.hasOwn(set, l) && !pinned.has(l) && !joined.includes(l));
  const at = `${path[0]}[${path[1]}].${path[2]}`;
  // Grouped alike throughout, the groupings say it; else the operator that decided the labels.
  const by = grouping!.reason === undefined ? `grouped by (${labels.join(', ')})` : `its result has no label but (${labels.join(', ')}) (${grouping!.reason})`;
  // The team label is what routes the alert (src/attribute): say whose it is, whatever the series say.
  const whose = (ls: string[]) => (ls.includes('team') ? ` (every alert of this file goes to team ${set['team']})` : '');
  if (replaced.length === 0) {
    if (joined.length === 0) return;
    const names = joined.join(', ');
    // Each label from the list of the join that brought it in (the outermost operator may be another).
    const fromLists = (['left', 'right'] as const)
      .map((side) => joined.filter((l) => sideOf.get(l) === side))
      .flatMap((ls, i) => (ls.length > 0 ? [`${ls.join(', ')} from the join's group_${i === 0 ? 'left' : 'right'} (…) list`] : []))
      .join(' and ');
    problems.push(
      errorAt(
        src,
        path,
        `${at}: ${by}: alertgate replaces the ${names} this query joins in with ${joined.map((l) => set[l]).join(', ')} on ${where}, so every alert of it has ${joined.map((l) => `${l} ${set[l]}`).join(', ')}, whichever ${names} the joined series name (its series still differ in the labels they had before the join, so none collide); drop ${fromLists}${whose(joined)}`,
        'warning',
      ),
    );
    return;
  }
  const values = replaced.map((l) => `${l} ${set[l]}`).join(', ');
  const drop = `drop ${replaced.join(', ')} from the ${grouping!.reason === undefined ? 'grouping' : 'result'}${whose(replaced)}`;
  // Series differ only in the replaced labels when every other label is pinned or joined.
  if (labels.every((l) => replaced.includes(l) || pinned.has(l) || joined.includes(l))) {
    problems.push(
      errorAt(
        src,
        path,
        `${at}: ${by}, which alertgate sets on ${where} (${values}): Prometheus replaces each series' value with that one, so any two series have the same labels and Prometheus fails the rule ("vector contains metrics with the same labelset after applying ${prometheusWord} labels"): ${consequence}; ${drop}`,
      ),
    );
  } else {
    problems.push(
      errorAt(
        src,
        path,
        `${at}: ${by}: alertgate replaces ${replaced.map((l) => `${l} with ${set[l]}`).join(', ')} on ${where}, so series that differ only in ${replaced.join(', ')} would have the same labels and Prometheus would fail the rule; ${drop}`,
        'warning',
      ),
    );
  }
}
