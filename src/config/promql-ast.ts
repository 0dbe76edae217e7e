/**
 * @module config/promql-ast
 * A small PromQL syntax tree built from the Lezer tree of an expression that parsed without
 * errors, shaped as Prometheus' own parser (promql/parser) shapes it, for the type checker in
 * promql-types.ts.
 *
 * Why not walk the Lezer tree directly: the Lezer grammar binds the postfix modifiers (`offset`,
 * `@`, `[range]`, `[range:step]`, `anchored`, `smoothed`) looser than binary and unary operators,
 * so `a / b offset 1w` is `(a / b) offset 1w` there. Prometheus' yacc grammar binds them tighter
 * than every operator (`%nonassoc OFFSET`, `%right LEFT_BRACKET`): `a / (b offset 1w)`, which is
 * valid where the Lezer shape would be an offset on a binary expression. Building this tree moves
 * each postfix modifier down onto the rightmost operand, as Prometheus reads it.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import { unquoteGoString } from './go-string.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

interface Base {
  /** Offset of the node's first character in the expression (where Prometheus reports it). */
  from: number;
}

export interface LabelMatcher {
  /** Offset of the label name, where Prometheus reports a matcher's error. */
  from: number;
  label: string;
  op: 'EqlSingle' | 'Neq' | 'EqlRegex' | 'NeqRegex';
  /** Unquoted value; undefined when it could not be unquoted (then no check relies on it). */
  value: string | undefined;
}

export type Expr =
  | (Base & { k: 'number' })
  | (Base & { k: 'string' })
  | (Base & { k: 'selector'; name: string | undefined; matchers: LabelMatcher[]; bareNames: number })
  /** `inner[range]`; `bracket` is the offset of `[`, where Prometheus reports range errors. */
  | (Base & { k: 'matrix'; inner: Expr; bracket: number })
  | (Base & { k: 'subquery'; inner: Expr })
  | (Base & { k: 'offset' | 'at' | 'modifier'; inner: Expr })
  | (Base & { k: 'paren'; inner: Expr })
  | (Base & { k: 'unary'; inner: Expr })
  | (Base & { k: 'binary'; op: string; opFrom: number; bool: boolean; matching: Matching | undefined; lhs: Expr; rhs: Expr })
  | (Base & { k: 'call'; name: string; args: Expr[] })
  /** `grouping`: its `by (…)` or `without (…)` clause, before or after its arguments. */
  | (Base & { k: 'aggregate'; op: string; args: Expr[]; grouping?: { without: boolean; labels: string[] } })
  /** A node this tree does not model (a newer grammar's): never an error. */
  | (Base & { k: 'unknown' });

export interface Matching {
  on: boolean;
  labels: string[];
  /** `group_left`/`group_right` given. */
  group: boolean;
  /** `group_right` given: the right side is the one with many series. */
  groupRight?: boolean;
  include: string[];
}

type Postfix = Extract<Expr, { k: 'matrix' | 'subquery' | 'offset' | 'at' | 'modifier' }>;

/** The tree of `top` (the Lezer `PromQL` node) over `text`. */
export function buildAst(top: SyntaxNode, text: string): Expr {
  const body = exprChildren(top)[0];
  return body ? build(body, text) : { k: 'unknown', from: 0 };
}

function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.type.is('Expr')) out.push(c);
  return out;
}

function child(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.getChild(name);
}

/** The expression a paren, unary or postfix node wraps (a function, not a closure per node: see promql-types.ts). */
function firstOperand(node: SyntaxNode, text: string): Expr {
  return build(exprChildren(node)[0]!, text);
}

function build(node: SyntaxNode, text: string): Expr {
  const from = node.from;
  switch (node.name) {
    case 'NumberDurationLiteral':
      return { k: 'number', from };
    case 'StringLiteral':
      return { k: 'string', from };
    case 'VectorSelector':
      return selector(node, text);
    case 'ParenExpr':
      return { k: 'paren', from, inner: firstOperand(node, text) };
    case 'UnaryExpr':
      return { k: 'unary', from, inner: firstOperand(node, text) };
    case 'MatrixSelector': {
      const inner = exprChildren(node)[0]!;
      return postfix({ k: 'matrix', from, inner: build(inner, text), bracket: bracketAfter(text, inner.to) });
    }
    case 'SubqueryExpr':
      return postfix({ k: 'subquery', from, inner: firstOperand(node, text) });
    case 'OffsetExpr':
      return postfix({ k: 'offset', from, inner: firstOperand(node, text) });
    case 'StepInvariantExpr':
      return postfix({ k: 'at', from, inner: firstOperand(node, text) });
    case 'AnchoredExpr':
    case 'SmoothedExpr':
      return postfix({ k: 'modifier', from, inner: firstOperand(node, text) });
    case 'BinaryExpr':
      return binary(node, text);
    case 'FunctionCall': {
      const id = child(node, 'FunctionIdentifier');
      const body = child(node, 'FunctionCallBody');
      return { k: 'call', from, name: id ? text.slice(id.from, id.to) : '', args: body ? exprChildren(body).map((a) => build(a, text)) : [] };
    }
    case 'AggregateExpr': {
      const op = child(node, 'AggregateOp');
      const body = child(node, 'FunctionCallBody');
      const modifier = child(node, 'AggregateModifier');
      const labels = modifier && child(modifier, 'GroupingLabels');
      const grouping = modifier && labels ? { without: child(modifier, 'Without') !== null, labels: labelList(labels, text) } : undefined;
      return { k: 'aggregate', from, op: op ? text.slice(op.from, op.to).toLowerCase() : '', args: body ? exprChildren(body).map((a) => build(a, text)) : [], ...(grouping && { grouping }) };
    }
    default:
      return { k: 'unknown', from };
  }
}

/**
 * Moves a postfix modifier from a binary or unary expression onto its rightmost operand, as
 * Prometheus' precedence does (see the module comment): `(a + b) offset 1m` → `a + (b offset 1m)`.
 */
function postfix(p: Postfix): Expr {
  const inner = p.inner;
  if (inner.k === 'binary') return { ...inner, rhs: postfix({ ...p, from: inner.rhs.from, inner: inner.rhs }) };
  if (inner.k === 'unary') return { ...inner, inner: postfix({ ...p, from: inner.inner.from, inner: inner.inner }) };
  return p;
}

/** Offset of the `[` after `end` (skipping whitespace and `#` comments). */
function bracketAfter(text: string, end: number): number {
  let i = end;
  while (i < text.length && text[i] !== '[') {
    if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
    else i++;
  }
  return i;
}

/** Children of a BinaryExpr between its operands that are not the operator. */
const NOT_OPERATOR = new Set(['BoolModifier', 'MatchingModifierClause', 'FillModifier', 'LineComment']);

function binary(node: SyntaxNode, text: string): Expr {
  const [l, r] = exprChildren(node);
  let opNode: SyntaxNode | null = null;
  let bool = false;
  let matching: Matching | undefined;
  for (let c = l!.nextSibling; c && c !== r; c = c.nextSibling) {
    if (c.name === 'BoolModifier') bool = true;
    else if (c.name === 'MatchingModifierClause') matching = matchingOf(c, text);
    else if (!opNode && !NOT_OPERATOR.has(c.name)) opNode = c;
  }
  return {
    k: 'binary',
    from: node.from,
    op: opNode?.name ?? '',
    opFrom: opNode?.from ?? l!.to,
    bool,
    matching,
    lhs: build(l!, text),
    rhs: build(r!, text),
  };
}

function matchingOf(clause: SyntaxNode, text: string): Matching {
  const lists = clause.getChildren('GroupingLabels').map((g) => labelList(g, text));
  return {
    on: child(clause, 'On') !== null,
    labels: lists[0] ?? [],
    group: child(clause, 'GroupLeft') !== null || child(clause, 'GroupRight') !== null,
    ...(child(clause, 'GroupRight') !== null && { groupRight: true }),
    include: lists[1] ?? [],
  };
}

function labelList(grouping: SyntaxNode, text: string): string[] {
  const out: string[] = [];
  for (let c = grouping.firstChild; c; c = c.nextSibling) {
    if (c.name === 'LabelName') out.push(text.slice(c.from, c.to));
    else if (c.name === 'QuotedLabelName') out.push(unquoteGoString(text.slice(c.from, c.to)) ?? '');
  }
  return out;
}

function selector(node: SyntaxNode, text: string): Expr {
  const id = child(node, 'Identifier');
  const matchers: LabelMatcher[] = [];
  let bareNames = 0;
  const list = child(node, 'LabelMatchers');
  for (let c = list?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name === 'QuotedLabelName') bareNames++; // `{"metric.name"}`: a metric name, never empty
    if (c.name !== 'UnquotedLabelMatcher' && c.name !== 'QuotedLabelMatcher') continue;
    const nameNode = child(c, 'LabelName') ?? child(c, 'QuotedLabelName');
    const op = child(c, 'MatchOp')?.firstChild?.name as LabelMatcher['op'] | undefined;
    const value = child(c, 'StringLiteral');
    if (!nameNode || !op || !value) continue;
    const rawName = text.slice(nameNode.from, nameNode.to);
    const label = nameNode.name === 'LabelName' ? rawName : (unquoteGoString(rawName) ?? '');
    matchers.push({ from: nameNode.from, label, op, value: unquoteGoString(text.slice(value.from, value.to)) });
  }
  return { k: 'selector', from: node.from, name: id ? text.slice(id.from, id.to) : undefined, matchers, bareNames };
}
