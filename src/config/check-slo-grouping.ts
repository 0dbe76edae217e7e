/**
 * @module config/check-slo-grouping
 * An SLO's `errors` and `total` grouped by different labels (`sum by (route, code)` over
 * `sum by (route)`, or `sum(…)` over `sum by (route)`) is refused. The generated error ratio
 * divides errors by total series of equal labels, so such a pair never divides: without
 * errors filled in it was never recorded, and with the 0 filled in where errors has no series
 * (generate/slo-error-ratio.ts) it would read 0 errors whatever errors counts — a board showing
 * 100 % availability and alerts that cannot fire. Only groupings read without a parse are
 * compared (one aggregation each, `by` or none: config/promql-grouping.ts); `without`, binary
 * expressions and selectors are left to the author.
 */
import { aggregationGrouping } from './promql-grouping.js';
import type { RulesFileSpec } from './rules-schema.js';
import type { SourceError } from './source-error.js';
import { errorAt, type YamlSource } from './yaml-source.js';

export function checkSloGrouping(src: YamlSource, spec: RulesFileSpec, problems: SourceError[]): void {
  spec.slos.forEach((slo, i) => {
    const errors = aggregationGrouping(slo.errors.trim());
    const total = aggregationGrouping(slo.total.trim());
    if (!errors || !total || errors.join() === total.join()) return;
    problems.push(
      errorAt(
        src,
        ['slos', i, 'errors'],
        `slos[${i}]: errors is grouped ${grouping(errors)} but total ${grouping(total)}: the error ratio divides series with equal labels, so these never divide (the ratio would never be recorded, or read 0 errors); group both by the same labels`,
      ),
    );
  });
}

function grouping(labels: string[]): string {
  return labels.length === 0 ? 'by no label' : `by (${labels.join(', ')})`;
}
