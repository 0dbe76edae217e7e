/**
 * @module config/promql-features
 * PromQL that Prometheus' parser refuses unless Prometheus runs with an `--enable-feature` flag.
 * The Lezer grammar (the Prometheus UI editor's) parses all of it, so without this check
 * `validate` passed rules that a stock Prometheus 3 (`function "mad_over_time" is not enabled`)
 * and `promtool check rules` refuse: the generated PrometheusRule would not load.
 *
 * The gates are those of Prometheus 3's parser (`promql/parser`: the `Experimental` functions of
 * functions.go, `newAggregateExpr`, `experimentalDurationExpr`, `setAnchored`/`setSmoothed`,
 * the binary-operator fill modifiers), each reported at the position Prometheus reports it (or,
 * for a modifier, at its keyword) with the flag it needs. The Prometheus versions alertgate
 * targets run without these flags, so every gate is closed; `findPromqlFeatureError` takes the
 * enabled flags for callers (and tests) that know better.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import { EXPERIMENTAL_AGGREGATIONS, EXPERIMENTAL_FUNCTIONS } from './promql-functions.js';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

/** Prometheus' `--enable-feature` values that open a PromQL parser gate. */
export type PromqlFeatureFlag =
  | 'promql-experimental-functions'
  | 'promql-duration-expr'
  | 'promql-extended-range-selectors'
  | 'promql-binop-fill-modifiers';

export const PROMQL_FEATURE_FLAGS: readonly PromqlFeatureFlag[] = [
  'promql-experimental-functions',
  'promql-duration-expr',
  'promql-extended-range-selectors',
  'promql-binop-fill-modifiers',
];

export interface PromqlFeatureError {
  /** 0-based offset inside the expression. */
  offset: number;
  message: string;
  flag: PromqlFeatureFlag;
}

const needs = (flag: PromqlFeatureFlag): string => `Prometheus needs --enable-feature=${flag}`;

/** A duration written as a literal (`5m`, `300`), possibly signed (`-5m`): never gated. */
function isLiteralDuration(node: SyntaxNode): boolean {
  const kids: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') kids.push(c);
  if (kids.length === 1) return kids[0]!.name === 'NumberDurationLiteralInDurationContext';
  // A sign folds into the literal (Prometheus' `unary_op number_duration_literal`); `-(5m)` does not.
  if (kids.length === 2 && kids[0]!.name === 'UnaryOp') {
    const inner = kids[1]!;
    return (inner.name === 'DurationExpr' || inner.name === 'OffsetDurationExpr') && isLiteralDuration(inner);
  }
  return false;
}

/**
 * The first construct of the error-free Lezer `tree` of `text` that needs a feature flag not in
 * `enabled`, or undefined.
 */
export function findPromqlFeatureError(tree: Tree, text: string, enabled: ReadonlySet<PromqlFeatureFlag> = new Set()): PromqlFeatureError | undefined {
  let found: PromqlFeatureError | undefined;
  const report = (offset: number, flag: PromqlFeatureFlag, message: string): false => {
    if (!found && !enabled.has(flag)) found = { offset, flag, message };
    return false;
  };
  tree.iterate({
    enter(ref) {
      if (found) return false;
      const node = ref.node;
      switch (node.name) {
        case 'FunctionCall': {
          const id = node.getChild('FunctionIdentifier');
          const name = id ? text.slice(id.from, id.to) : '';
          if (EXPERIMENTAL_FUNCTIONS.has(name)) {
            report(node.from, 'promql-experimental-functions', `function "${name}" is not enabled (experimental: ${needs('promql-experimental-functions')})`);
          }
          return undefined;
        }
        case 'AggregateExpr': {
          const op = node.getChild('AggregateOp');
          const name = op ? text.slice(op.from, op.to).toLowerCase() : '';
          // Prometheus' own message names the flag already.
          if (EXPERIMENTAL_AGGREGATIONS.has(name)) report(node.from, 'promql-experimental-functions', `${name}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
          return undefined;
        }
        case 'DurationExpr':
        case 'OffsetDurationExpr':
          // Arithmetic (`5m+1m`), parentheses, `step()`, `range()`, `min_of`/`max_of`: one report
          // for the whole duration, not one per part.
          if (isLiteralDuration(node)) return false;
          return report(
            node.from,
            'promql-duration-expr',
            `experimental duration expression is not enabled (${needs('promql-duration-expr')}); write a plain duration such as 5m`,
          );
        case 'Anchored':
        case 'Smoothed': {
          const keyword = node.name.toLowerCase();
          return report(node.from, 'promql-extended-range-selectors', `${keyword} modifier is experimental and not enabled (${needs('promql-extended-range-selectors')})`);
        }
        case 'FillModifier':
          return report(node.from, 'promql-binop-fill-modifiers', `binop fill modifiers are experimental and not enabled (${needs('promql-binop-fill-modifiers')})`);
        default:
          return undefined;
      }
    },
  });
  return found;
}
