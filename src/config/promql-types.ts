/**
 * @module config/promql-types
 * The checks Prometheus' parser makes after the grammar accepted an expression, so `validate`
 * rejects what `promtool check rules` (and Prometheus loading the generated PrometheusRule) would:
 * `rate(x)` (an instant vector where a range vector is needed), `sum(x)[5m]`, `1 > 2` without
 * `bool`, `label_replace` with three arguments, `up == "a"`.
 *
 * Two passes, in Prometheus' order (promql/parser): first the checks its yacc grammar actions
 * make while parsing (ranges only on vector selectors, offset/@ placement, aggregation argument
 * counts, the regexps of label matchers), then, only when those found nothing, its `checkAST` (types of function arguments,
 * aggregations, binary and unary operators, subqueries; vector selector matchers). The first
 * error is reported, at the offset Prometheus reports it, worded as Prometheus words it.
 *
 * Where this checker cannot know (a function the grammar has but FUNCTIONS lacks, a tree node
 * of a newer grammar), it accepts: a type checker that rejects a valid rule is worse than none.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import { buildAst, type Expr, type LabelMatcher } from './promql-ast.js';
import { argumentCountError, argumentType, FUNCTIONS, UNCHECKED_FUNCTIONS, type ValueType } from './promql-functions.js';
import { checkPromqlRegexp } from './go-regexp.js';

type Tree = ReturnType<typeof parser.parse>;

export interface PromqlTypeError {
  /** 0-based offset inside the expression. */
  offset: number;
  message: string;
}

/** A node's type; `any` for what this checker cannot type (an unchecked function): it fits everywhere. */
type Type = ValueType | 'any';

/**
 * What a well-typed expression must evaluate to where it is used: Prometheus' parser accepts any
 * type at the top (`up[5m]`, `"a"`), but an alerting or recording rule, a Grafana range query or a
 * subquery does not.
 */
export interface PromqlResultRule {
  types: ReadonlyArray<'instant vector' | 'scalar'>;
  /** Why, for the message: what refuses anything else. */
  why: string;
  /** What to say of a range vector `x[5m]`, instead of suggesting rate(). */
  rangeHint?: string;
}

/**
 * First error Prometheus' parser would add to the error-free Lezer `tree` of `text`, or undefined;
 * with `result`, then also an overall type `result` does not allow.
 */
export function findPromqlTypeError(tree: Tree, text: string, result?: PromqlResultRule): PromqlTypeError | undefined {
  const typed = typeTree(tree, text);
  if (!typed) return undefined;
  const { ast, type: t, errors } = typed;
  if (errors.length === 0 && result && t !== 'any' && !(result.types as readonly string[]).includes(t)) {
    report(errors, ast.from, `must be ${result.types.map(withArticle).join(' or ')}, got ${withArticle(t)}${resultHint(ast, result)} (${result.why})`);
  }
  return errors[0];
}

/**
 * The overall type of the error-free Lezer `tree` of `text`, or undefined when it is ill-typed or
 * this checker cannot tell (an unchecked function, a tree shape of a newer grammar).
 */
export function promqlTreeType(tree: Tree, text: string): ValueType | undefined {
  const typed = typeTree(tree, text);
  return typed && typed.errors.length === 0 && typed.type !== 'any' ? typed.type : undefined;
}

/** Both passes; undefined for a tree shape this checker does not expect (a newer grammar): callers accept it. */
function typeTree(tree: Tree, text: string): { ast: Expr; type: Type; errors: PromqlTypeError[] } | undefined {
  const errors: PromqlTypeError[] = [];
  try {
    const ast = buildAst(tree.topNode, text);
    shape(ast, errors);
    return { ast, type: errors.length === 0 ? typeOf(ast, errors) : 'any', errors };
  } catch {
    return undefined;
  }
}

/** What the offset, `@` and range rules need to know of a node. */
interface Shape {
  kind: 'selector' | 'matrix' | 'subquery' | 'other';
  offset: boolean;
  at: boolean;
  /** A `[range]` on something other than a vector selector (already reported). */
  badRange?: boolean;
}

const OTHER: Shape = { kind: 'other', offset: false, at: false };
const PARAM_AGGREGATIONS = new Set(['topk', 'bottomk', 'quantile', 'limitk', 'limit_ratio', 'count_values']);

/** Pass 1: what Prometheus' grammar actions reject (generated_parser.y, parse.go addOffset/setTimestamp). */
function shape(e: Expr, errors: PromqlTypeError[]): Shape {
  switch (e.k) {
    case 'selector':
      // Prometheus compiles each regexp matcher while parsing (labels.NewMatcher in its grammar actions).
      for (const m of e.matchers) {
        if ((m.op === 'EqlRegex' || m.op === 'NeqRegex') && m.value !== undefined) {
          const re = checkPromqlRegexp(m.value);
          if ('error' in re) report(errors, m.from, re.error);
        }
      }
      return { kind: 'selector', offset: false, at: false };
    case 'matrix': {
      const s = shape(e.inner, errors);
      if (s.kind !== 'selector') report(errors, e.bracket, 'ranges only allowed for vector selectors');
      else if (s.offset) report(errors, e.bracket, 'no offset modifiers allowed before range');
      else if (s.at) report(errors, e.bracket, 'no @ modifiers allowed before range');
      return { kind: 'matrix', offset: false, at: false, badRange: s.kind !== 'selector' };
    }
    case 'subquery':
      shape(e.inner, errors);
      return { kind: 'subquery', offset: false, at: false };
    case 'offset':
    case 'at': {
      const s = shape(e.inner, errors);
      const where = e.inner.from;
      if (s.kind === 'other') {
        report(errors, where, `${e.k === 'offset' ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
        return s;
      }
      if (s.badRange) return s;
      if (e.k === 'offset') {
        if (s.offset) report(errors, where, 'offset may not be set multiple times');
        return { ...s, offset: true };
      }
      if (s.at) report(errors, where, '@ <timestamp> may not be set multiple times');
      return { ...s, at: true };
    }
    case 'modifier': // anchored / smoothed: refused without their flag (promql-features.ts); with it, not checked here
      return shape(e.inner, errors);
    case 'aggregate': {
      for (const a of e.args) shape(a, errors);
      const wanted = PARAM_AGGREGATIONS.has(e.op) ? 2 : 1;
      if (e.args.length === 0) report(errors, e.from, 'no arguments for aggregate expression provided');
      else if (e.args.length !== wanted) report(errors, e.from, `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${e.args.length}`);
      return OTHER;
    }
    case 'call':
      for (const a of e.args) shape(a, errors);
      return OTHER;
    case 'binary':
      shape(e.lhs, errors);
      shape(e.rhs, errors);
      return OTHER;
    case 'paren':
    case 'unary':
      shape(e.inner, errors);
      return OTHER;
    default:
      return OTHER;
  }
}

const COMPARISONS = new Set(['Eql', 'Neq', 'Gtr', 'Gte', 'Lss', 'Lte']);
const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);

/** Pass 2: Prometheus' checkAST (promql/parser/parse.go), in its order. Answers the node's type. */
function typeOf(e: Expr, errors: PromqlTypeError[]): Type {
  switch (e.k) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'selector':
      checkSelector(e, errors);
      return 'instant vector';
    case 'matrix':
      typeOf(e.inner, errors);
      return 'range vector';
    case 'subquery': {
      const t = typeOf(e.inner, errors);
      // This one message says "vector"/"matrix" (ValueType's String), not the documented names.
      if (t !== 'instant vector' && t !== 'any') report(errors, e.from, `subquery is only allowed on instant vector, got ${GO_NAMES[t]} instead`);
      return 'range vector';
    }
    case 'offset':
    case 'at':
    case 'modifier':
    case 'paren':
      return typeOf(e.inner, errors);
    case 'unary': {
      const t = typeOf(e.inner, errors);
      if (t === 'string' || t === 'range vector') report(errors, e.from, `unary expression only allowed on expressions of type scalar or instant vector, got "${t}"`);
      return t;
    }
    case 'call': {
      const sig = FUNCTIONS.get(e.name);
      if (!sig || UNCHECKED_FUNCTIONS.has(e.name)) {
        for (const a of e.args) typeOf(a, errors);
        return 'any';
      }
      const count = argumentCountError(e.name, sig, e.args.length);
      if (count) report(errors, e.from, count);
      for (const [i, a] of e.args.entries()) {
        const want = argumentType(sig, i);
        if (!want) break; // as checkAST: extra arguments of a fixed-arity function are not looked at
        // info()'s second argument is a label filter that may match everything (BypassEmptyMatcherCheck).
        if (e.name === 'info' && i === 1 && a.k === 'selector') continue;
        expectType(a, want, `call to function "${e.name}"`, errors);
      }
      return sig.returns;
    }
    case 'aggregate': {
      // Argument counts were checked in pass 1; the body is the last argument, the parameter the first.
      expectType(e.args.at(-1)!, 'instant vector', 'aggregation expression', errors);
      if (e.op === 'count_values') expectType(e.args[0]!, 'string', 'aggregation parameter', errors);
      else if (PARAM_AGGREGATIONS.has(e.op)) expectType(e.args[0]!, 'scalar', 'aggregation parameter', errors);
      return 'instant vector';
    }
    case 'binary':
      return binaryType(e, errors);
    default:
      return 'any';
  }
}

/** Module-level (not a closure per node): the checker runs for every expression of every team file. */
function report(errors: PromqlTypeError[], offset: number, message: string): void {
  errors.push({ offset, message });
}

function expectType(arg: Expr, want: ValueType, context: string, errors: PromqlTypeError[]): void {
  const t = typeOf(arg, errors);
  if (t !== want && t !== 'any') report(errors, arg.from, `expected type ${want} in ${context}, got ${t}`);
}

const scalarOrVector = (t: Type): boolean => t !== 'string' && t !== 'range vector';
const notVector = (t: Type): boolean => t !== 'instant vector' && t !== 'any';

const GO_NAMES: Record<ValueType, string> = { scalar: 'scalar', string: 'string', 'instant vector': 'vector', 'range vector': 'matrix' };

function binaryType(e: Extract<Expr, { k: 'binary' }>, errors: PromqlTypeError[]): Type {
  const lt = typeOf(e.lhs, errors);
  const rt = typeOf(e.rhs, errors);
  const isComparison = COMPARISONS.has(e.op);
  const isSet = SET_OPERATORS.has(e.op);
  const opName = e.op.toLowerCase();
  const m = e.matching;
  if (e.bool && !isComparison) report(errors, e.opFrom, 'bool modifier can only be used on comparison operators');
  if (isComparison && !e.bool && lt === 'scalar' && rt === 'scalar') report(errors, e.opFrom, 'comparisons between scalars must use BOOL modifier');
  if (m?.on) for (const l of m.labels) if (m.include.includes(l)) report(errors, e.opFrom, `label "${l}" must not occur in ON and GROUP clause at once`);
  if (!scalarOrVector(lt)) report(errors, e.lhs.from, 'binary expression must contain only scalar and instant vector types');
  if (!scalarOrVector(rt)) report(errors, e.rhs.from, 'binary expression must contain only scalar and instant vector types');
  if (notVector(lt) || notVector(rt)) {
    if (m && m.labels.length > 0) report(errors, e.from, 'vector matching only allowed between instant vectors');
  } else if (isSet && m?.group) {
    report(errors, e.from, `no grouping allowed for "${opName}" operation`);
  }
  if ((lt === 'scalar' || rt === 'scalar') && isSet) report(errors, e.from, `set operator "${opName}" not allowed in binary scalar expression`);
  if (lt === 'scalar' && rt === 'scalar') return 'scalar';
  return lt === 'any' || rt === 'any' ? 'any' : 'instant vector';
}

/** checkAST's VectorSelector case: one metric name; some matcher that does not match the empty string. */
function checkSelector(e: Extract<Expr, { k: 'selector' }>, errors: PromqlTypeError[]): void {
  if (e.name !== undefined) {
    const twice = e.matchers.find((m) => m.label === '__name__');
    if (twice) report(errors, e.from, `metric name must not be set twice: "${e.name}" or "${twice.value ?? ''}"`);
    return;
  }
  if (e.bareNames > 0) return;
  if (!e.matchers.some((m) => !matchesEmpty(m))) report(errors, e.from, 'vector selector must contain at least one non-empty matcher');
}

/** Whether the matcher matches "" (so selects everything); false when unsure, which accepts. */
function matchesEmpty(m: LabelMatcher): boolean {
  if (m.value === undefined) return false;
  if (m.op === 'EqlSingle') return m.value === '';
  if (m.op === 'Neq') return m.value !== '';
  const re = checkPromqlRegexp(m.value);
  if ('error' in re || re.matchesEmpty === undefined) return false; // an error is reported in pass 1
  return m.op === 'EqlRegex' ? re.matchesEmpty : !re.matchesEmpty;
}

function withArticle(t: ValueType): string {
  return `${t === 'instant vector' ? 'an' : 'a'} ${t}`;
}

/** What was probably meant, for a range vector where an instant one is needed. */
function resultHint(e: Expr, result: PromqlResultRule): string {
  while (e.k === 'paren' || e.k === 'offset' || e.k === 'at') e = e.inner;
  if (e.k === 'matrix') return `: ${result.rangeHint ?? 'did you forget rate() or an *_over_time() function around it?'}`;
  if (e.k === 'subquery') return ': did you forget an *_over_time() function around the subquery?';
  return '';
}
